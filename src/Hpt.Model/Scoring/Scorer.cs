using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model.Scoring;

/// <summary>
/// Teacher-forced log-probs and entropies of responses given prompts: one causal forward over right-padded
/// prompt+response rows (padding sits after every real token, so a plain causal mask is exact), then the vocabulary
/// projection only at the response positions, in chunks along the sequence.
/// </summary>
public sealed class Scorer(CausalLM model)
{
    public CausalLM Model { get; } = model;

    /// <summary>
    /// Largest number of (row, position) logits held at once when no gradient is kept (B x chunk x V floats).
    /// With gradients the graph keeps every chunk's softmax for backward anyway, so chunking only bounds the no-grad peak.
    /// </summary>
    public long MaxLogitsPerChunk { get; init; } = 8L << 20;

    /// <summary>
    /// Scores each (prompt, response) row. Log-probs use log_softmax semantics (logit - logsumexp) in fp32, the same formula
    /// the sampler uses, so they agree with <c>GeneratedSample.LogProbs</c> within float tolerance.
    /// </summary>
    /// <param name="withGrad">Record autograd (the learner backpropagates through the result); otherwise no_grad.</param>
    /// <param name="withEntropy">False skips the entropy (saves one vocabulary-sized pass); returns zeros.</param>
    public ScoreResult Score(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<IReadOnlyList<int>> responses, bool withGrad = false, bool withEntropy = true)
    {
        var b = prompts.Count;
        if (responses.Count != b) throw new ArgumentException($"{b} prompts but {responses.Count} responses");
        if (b == 0) throw new ArgumentException("empty batch");
        var vocab = Model.Config.VocabSize;
        for (var r = 0; r < b; r++)
        {
            if (prompts[r].Count == 0) throw new ArgumentException($"row {r}: the prompt needs at least one token (the first response token is predicted from it)");
            foreach (var id in prompts[r])
                if ((uint)id >= (uint)vocab) throw new ArgumentException($"row {r}: token id {id} is outside the vocabulary (size {vocab})");
            foreach (var id in responses[r])
                if ((uint)id >= (uint)Model.OutputVocab) throw new ArgumentException($"row {r}: response token id {id} is outside the tokenizer's {Model.OutputVocab} ids");
        }
        var tMax = Math.Max(1, responses.Max(x => x.Count));
        // The last response token is never an input for a prediction we need: drop one column.
        var seqLen = Math.Max(1, prompts.Select((p, r) => p.Count + responses[r].Count - 1).Max());

        var ids = new long[b * seqLen];
        var gatherAt = new long[b * tMax];
        var targets = new long[b * tMax];
        var mask = new float[b * tMax];
        for (var r = 0; r < b; r++)
        {
            var (p, resp) = (prompts[r], responses[r]);
            var row = p.Concat(resp).Take(seqLen).ToArray();
            for (var j = 0; j < row.Length; j++) ids[r * seqLen + j] = row[j];
            for (var t = 0; t < tMax; t++)
            {
                var real = t < resp.Count;
                gatherAt[r * tMax + t] = real ? p.Count - 1 + t : 0; // hidden state that predicts response[t]
                targets[r * tMax + t] = real ? resp[t] : 0;
                mask[r * tMax + t] = real ? 1f : 0f;
            }
        }

        var device = Model.Device;
        using var grad = withGrad ? enable_grad() : no_grad();
        using var scope = NewDisposeScope();
        var hidden = Model.Forward(tensor(ids, [b, seqLen], device: device)); // (B, S, d), final-normed
        var d = hidden.shape[2];
        var index = tensor(gatherAt, [b, tMax, 1], device: device).expand(b, tMax, d);
        var responseHidden = hidden.gather(1, index);                     // (B, Tmax, d)
        var target = tensor(targets, [b, tMax, 1], device: device);
        var maskT = tensor(mask, [b, tMax], device: device);

        var chunk = (int)Math.Clamp(MaxLogitsPerChunk / Math.Max(1L, (long)b * vocab), 1, tMax);
        var logProbs = new List<Tensor>();
        var entropies = new List<Tensor>();
        for (var start = 0; start < tMax; start += chunk)
        {
            var len = Math.Min(chunk, tMax - start);
            var logits = Model.LmHead(responseHidden.narrow(1, start, len)).to(ScalarType.Float32); // (B, c, V)
            var lse = logits.logsumexp(-1, keepdim: true);
            logProbs.Add((logits.gather(-1, target.narrow(1, start, len)) - lse).squeeze(-1));
            if (withEntropy)
            {
                // H = lse - sum_v p_v * logit_v, with p = exp(logit - lse): no separate log_softmax tensor.
                using var p = (logits - lse).exp();
                entropies.Add(lse.squeeze(-1) - (p * logits).sum(-1));
            }
            // Free this chunk's vocabulary-sized logits now rather than at the end of the scope. With autograd on, the
            // graph holds its own reference, so only this handle goes.
            logits.Dispose();
        }
        var lp = cat(logProbs, 1) * maskT;
        var ent = withEntropy ? cat(entropies, 1) * maskT : zeros_like(maskT);
        return new ScoreResult(lp.MoveToOuterDisposeScope(), ent.MoveToOuterDisposeScope(), maskT.MoveToOuterDisposeScope());
    }
}
