using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Hpt.Model.Scoring;

/// <summary>
/// Log-prob of a target token and entropy of the next-token distribution, from hidden states and the vocabulary matrix,
/// one chunk of rows at a time so that at most one chunk's (rows x V) logits exist at once. The maths is shared by the
/// forward and by <see cref="ChunkedVocabFunction"/>'s backward, which recomputes the chunk's logits instead of keeping them.
/// </summary>
internal static class VocabProjection
{
    /// <summary>fp32 (rows, V) logits of hidden rows (rows, d) in the model's dtype, as the lm_head computes them.</summary>
    public static Tensor Logits(Tensor hidden, Tensor weight) => F.linear(hidden, weight).to(ScalarType.Float32);

    /// <summary>
    /// Forward values for all rows: log pi(target) (N) and entropy (N), fp32, with no graph. Same formulas as the
    /// sampler (logit - logsumexp) and as the unchunked scorer, so values agree to float round-off.
    /// </summary>
    /// <param name="hidden">(N, d)</param>
    /// <param name="weight">(V, d)</param>
    /// <param name="targets">(N, 1) int64</param>
    public static (Tensor LogProbs, Tensor Entropies) Forward(Tensor hidden, Tensor weight, Tensor targets, long chunkRows, bool withEntropy)
    {
        var n = hidden.shape[0];
        var logProbs = empty(n, ScalarType.Float32, hidden.device);
        var entropies = zeros(n, ScalarType.Float32, hidden.device);
        using (no_grad())
        {
            for (long start = 0; start < n; start += chunkRows)
            {
                var len = Math.Min(chunkRows, n - start);
                using var scope = NewDisposeScope();
                var logits = Logits(hidden.narrow(0, start, len), weight);
                var lse = logits.logsumexp(-1, keepdim: true);
                logProbs.narrow(0, start, len).copy_((logits.gather(-1, targets.narrow(0, start, len)) - lse).squeeze(-1));
                // H = lse - sum_v p_v * logit_v, with p = exp(logit - lse): no separate log_softmax tensor.
                if (withEntropy) entropies.narrow(0, start, len).copy_(lse.squeeze(-1) - ((logits - lse).exp_() * logits).sum(-1));
            }
        }
        return (logProbs, entropies);
    }

    /// <summary>
    /// Gradients w.r.t. hidden (N, d) and weight (V, d) of sum(gLogProbs * logprob + gEntropies * entropy), recomputing
    /// each chunk's logits. Per chunk: dlogp/dz = onehot(target) - p, dH/dz = -p (log p + H). The weight gradient
    /// accumulates over chunks in fp32 and is cast to the weight's dtype once, like one unchunked matmul would round it.
    /// </summary>
    public static (Tensor? Hidden, Tensor? Weight) Backward(Tensor hidden, Tensor weight, Tensor targets, Tensor? gLogProbs,
        Tensor? gEntropies, long chunkRows, bool wantHidden, bool wantWeight)
    {
        var n = hidden.shape[0];
        var dtype = weight.dtype;
        var gHidden = wantHidden ? zeros_like(hidden) : null;
        var gWeight = wantWeight ? zeros(weight.shape, ScalarType.Float32, weight.device) : null;
        if (gLogProbs is null && gEntropies is null) return (gHidden, gWeight?.to(dtype));
        using (no_grad())
        {
            for (long start = 0; start < n; start += chunkRows)
            {
                var len = Math.Min(chunkRows, n - start);
                using var scope = NewDisposeScope();
                var h = hidden.narrow(0, start, len);
                var logp = Logits(h, weight);
                logp.sub_(logp.logsumexp(-1, keepdim: true)); // in place: the logits become log p
                var p = logp.exp();
                Tensor gz;
                if (gLogProbs is not null)
                {
                    var g = gLogProbs.narrow(0, start, len).unsqueeze(-1); // (c, 1)
                    gz = p * g.neg();
                    gz.scatter_add_(-1, targets.narrow(0, start, len), g);
                }
                else
                {
                    gz = zeros_like(p);
                }
                if (gEntropies is not null)
                {
                    var entropy = (p * logp).sum(-1, keepdim: true).neg_();
                    // gz -= gH * p * (log p + H), built in log p's buffer (no longer needed).
                    gz.sub_(logp.add_(entropy).mul_(p).mul_(gEntropies.narrow(0, start, len).unsqueeze(-1)));
                }
                var gzModel = gz.to(dtype);
                gHidden?.narrow(0, start, len).copy_(gzModel.matmul(weight));
                if (gWeight is not null)
                {
                    if (dtype == ScalarType.Float32) gWeight.addmm_(gzModel.t(), h);
                    else gWeight.add_(gzModel.t().matmul(h));
                }
            }
        }
        return (gHidden, gWeight is null || dtype == ScalarType.Float32 ? gWeight : gWeight.to(dtype));
    }
}
