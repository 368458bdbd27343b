using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model.Scoring;

/// <summary>
/// Autograd function: (hidden (N, d), weight (V, d), targets (N, 1)) -> (log-probs (N), entropies (N)), fp32.
/// Saves only its inputs for backward (tensors that exist anyway) and recomputes each chunk's logits there, so the
/// vocabulary part of a training step holds one chunk of logits, not N x V of them plus their softmax.
/// Use <see cref="Apply"/>.
/// </summary>
internal sealed class ChunkedVocabFunction : autograd.MultiTensorFunction<ChunkedVocabFunction>
{
    public override string Name => nameof(ChunkedVocabFunction);

    public static (Tensor LogProbs, Tensor Entropies) Apply(Tensor hidden, Tensor weight, Tensor targets, long chunkRows, bool withEntropy)
    {
        var outputs = apply(hidden, weight, targets, chunkRows, withEntropy);
        return (outputs[0], outputs[1]);
    }

    public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (hidden, weight, targets) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2]);
        var (chunkRows, withEntropy) = ((long)vars[3], (bool)vars[4]);
        ctx.save_for_backward([hidden, weight, targets]);
        ctx.save_data("chunk", chunkRows);
        ctx.save_data("entropy", withEntropy);
        ctx.save_data("wantHidden", hidden.requires_grad);
        ctx.save_data("wantWeight", weight.requires_grad);
        // An output that no loss term uses gets an undefined gradient; materialising it would call zeros_like on a
        // cached tensor that TorchSharp created in the caller's (by then closed) dispose scope. Null means "no gradient".
        ctx.set_materialize_grads(false);
        var (logProbs, entropies) = VocabProjection.Forward(hidden, weight, targets, chunkRows, withEntropy);
        if (!withEntropy) ctx.mark_non_differentiable([entropies]);
        return [logProbs, entropies];
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
    {
        AutogradHandoff.Release();
        Tensor? gHidden, gWeight;
        using (var scope = NewDisposeScope())
        {
            var saved = ctx.get_saved_variables();
            var gLogProbs = Defined(grad_outputs[0]);
            var gEntropies = (bool)ctx.get_data("entropy") ? Defined(grad_outputs[1]) : null;
            (gHidden, gWeight) = VocabProjection.Backward(saved[0], saved[1], saved[2], gLogProbs, gEntropies,
                (long)ctx.get_data("chunk"), (bool)ctx.get_data("wantHidden"), (bool)ctx.get_data("wantWeight"));
            AutogradHandoff.Hold(gHidden);
            AutogradHandoff.Hold(gWeight);
        }
        foreach (var g in grad_outputs) g.Dispose(); // TorchSharp's wrappers of the native inputs; ours to free
        return [gHidden!, gWeight!, null!, null!, null!];
    }

    private static Tensor? Defined(Tensor? t) => t is null || t.IsInvalid ? null : t;
}
