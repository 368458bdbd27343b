using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model;

/// <summary>
/// Activation checkpointing of one decoder layer: the forward runs without a graph and keeps only the layer's input;
/// the backward runs the layer again with a graph and back-propagates through it (a re-entrant backward, as PyTorch's
/// <c>checkpoint(use_reentrant=True)</c>). The layer's parameters get their gradients from that inner backward; the
/// function returns the gradient of its input. Exact: the layer has no dropout or other randomness, so the recompute
/// is the same computation. Needs an input that requires grad (the embeddings' output does), or nothing flows back.
/// </summary>
internal sealed class CheckpointedLayerFunction : autograd.SingleTensorFunction<CheckpointedLayerFunction>
{
    public override string Name => nameof(CheckpointedLayerFunction);

    public static Tensor Apply(DecoderLayer layer, int index, Tensor x, Tensor cos, Tensor sin, Tensor? mask, bool causal) =>
        apply(x, cos, sin, mask!, layer, index, causal);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, cos, sin, mask) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], vars[3] as Tensor);
        var (layer, index, causal) = ((DecoderLayer)vars[4], (int)vars[5], (bool)vars[6]);
        ctx.save_for_backward([x, cos, sin, mask!]);
        ctx.save_data("layer", layer);
        ctx.save_data("index", index);
        ctx.save_data("causal", causal);
        return layer.Forward(x, cos, sin, mask, causal, null, index);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        AutogradHandoff.Release();
        Tensor? gx;
        using (var scope = NewDisposeScope())
        {
            var saved = ctx.get_saved_variables();
            var layer = (DecoderLayer)ctx.get_data("layer");
            using (enable_grad())
            {
                var x = saved[0].detach().requires_grad_(true);
                var y = layer.Forward(x, saved[1], saved[2], saved[3], (bool)ctx.get_data("causal"), null, (int)ctx.get_data("index"));
                y.backward([grad_output]);
                gx = AutogradHandoff.Hold(x.grad);
            }
        }
        grad_output.Dispose();
        return [gx!, null!, null!, null!, null!, null!, null!];
    }
}
