using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// The scalar loss (call <c>Loss.backward()</c>) and its metrics. The caller owns <see cref="Loss"/>: dispose the
/// result (or the loss) after the backward pass.
/// </summary>
public sealed record UpgeLossResult(Tensor Loss, LossMetrics Metrics) : IDisposable
{
    public void Dispose() => Loss.Dispose();
}
