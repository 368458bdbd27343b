using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model.Scoring;

/// <summary>
/// Teacher-forced log-probs and entropies of responses given prompts: one causal forward over right-padded
/// prompt+response rows (padding sits after every real token, so a plain causal mask is exact), then the vocabulary
/// projection only at the response positions, in chunks of rows. With gradients, a custom autograd function recomputes
/// each chunk's logits in backward, so no (T x V) tensor is kept and the vocabulary part's peak is one chunk, whatever T.
/// </summary>
public sealed class Scorer(CausalLM model)
{
    public CausalLM Model { get; } = model;

    /// <summary>
    /// Largest number of logits (response positions x V floats) held at once, with or without gradients: with
    /// <see cref="VocabBackward.Recompute"/> the backward recomputes each chunk instead of keeping it.
    /// </summary>
    public long MaxLogitsPerChunk { get; init; } = 8L << 20;

    /// <summary>How the vocabulary projection is differentiated when gradients are requested.</summary>
    public VocabBackward VocabBackward { get; init; } = VocabBackward.Recompute;

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

        Tensor lp, ent;
        if (withGrad && VocabBackward == VocabBackward.KeepGraph)
        {
            (lp, ent) = KeepGraphScores(responseHidden, target, withEntropy);
        }
        else
        {
            // Rows flattened: one chunk is at most MaxLogitsPerChunk logits whatever the batch shape.
            var rows = (long)b * tMax;
            var chunkRows = Math.Clamp(MaxLogitsPerChunk / Model.OutputVocab, 1, rows);
            var flat = responseHidden.reshape(rows, d);
            var flatTargets = target.reshape(rows, 1);
            var (flatLp, flatEnt) = withGrad
                ? ChunkedVocabFunction.Apply(flat, Model.LmHeadMatrix(), flatTargets, chunkRows, withEntropy)
                : VocabProjection.Forward(flat, Model.LmHeadMatrix(), flatTargets, chunkRows, withEntropy);
            (lp, ent) = (flatLp.view(b, tMax), flatEnt.view(b, tMax));
        }
        lp *= maskT;
        ent *= maskT;
        return new ScoreResult(lp.MoveToOuterDisposeScope(), ent.MoveToOuterDisposeScope(), maskT.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The scorer before <see cref="VocabBackward.Recompute"/>: plain autograd ops per chunk, so the graph keeps every
    /// chunk's (B, c, V) logits and softmax for backward. Kept for <c>hpt bench memory</c>'s comparison.
    /// </summary>
    private (Tensor LogProbs, Tensor Entropies) KeepGraphScores(Tensor responseHidden, Tensor target, bool withEntropy)
    {
        var (b, tMax) = (responseHidden.shape[0], responseHidden.shape[1]);
        var chunk = Math.Clamp(MaxLogitsPerChunk / Math.Max(1L, b * Model.OutputVocab), 1, tMax);
        var logProbs = new List<Tensor>();
        var entropies = new List<Tensor>();
        for (long start = 0; start < tMax; start += chunk)
        {
            var len = Math.Min(chunk, tMax - start);
            var logits = Model.LmHead(responseHidden.narrow(1, start, len)).to(ScalarType.Float32); // (B, c, V)
            var lse = logits.logsumexp(-1, keepdim: true);
            logProbs.Add((logits.gather(-1, target.narrow(1, start, len)) - lse).squeeze(-1));
            if (withEntropy)
            {
                using var p = (logits - lse).exp();
                entropies.Add(lse.squeeze(-1) - (p * logits).sum(-1));
            }
            logits.Dispose(); // the graph holds its own reference
        }
        return (cat(logProbs, 1), withEntropy ? cat(entropies, 1) : zeros(b, tMax, device: responseHidden.device));
    }
}
