using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// CISPO (MiniMax-M1, Chen et al. 2025): no token is masked out; instead the importance weight is clipped and
/// detached, J = sg(clip(r, 1 - EpsLow, 1 + EpsHigh)) * A * log r, so grad J = sg(clip r) * A * grad log pi_theta.
/// EpsLow >= 1 removes the lower bound, as MiniMax does. Name <c>cispo</c>.
/// </summary>
public sealed record CispoMask(double EpsLow = 1.0, double EpsHigh = 0.28) : IStabilizationMask
{
    public string Name => "cispo";

    public Tensor Objective(Tensor ratio, Tensor logRatio, Tensor advantage)
    {
        using var scope = NewDisposeScope();
        var weight = ratio.detach().clamp(Math.Max(0.0, 1.0 - EpsLow), 1.0 + EpsHigh);
        return (weight * advantage * logRatio).MoveToOuterDisposeScope();
    }

    public Tensor Clipped(Tensor ratio, Tensor advantage)
    {
        using var scope = NewDisposeScope();
        return ratio.gt(1.0 + EpsHigh).logical_or(ratio.lt(1.0 - EpsLow)).MoveToOuterDisposeScope();
    }
}
