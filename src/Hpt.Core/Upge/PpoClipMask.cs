using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// PPO's clip (App. B.3): J = min(r A, clip(r, 1 - EpsLow, 1 + EpsHigh) A). Separate bounds give DAPO's clip-higher.
/// Name <c>ppo-clip</c>.
/// </summary>
public sealed record PpoClipMask(double EpsLow = 0.2, double EpsHigh = 0.2) : IStabilizationMask
{
    public string Name => "ppo-clip";

    public Tensor Objective(Tensor ratio, Tensor logRatio, Tensor advantage)
    {
        using var scope = NewDisposeScope();
        var clipped = ratio.clamp(1.0 - EpsLow, 1.0 + EpsHigh);
        return minimum(ratio * advantage, clipped * advantage).MoveToOuterDisposeScope();
    }

    public Tensor Clipped(Tensor ratio, Tensor advantage)
    {
        using var scope = NewDisposeScope();
        var high = ratio.gt(1.0 + EpsHigh).logical_and(advantage.gt(0.0));
        var low = ratio.lt(1.0 - EpsLow).logical_and(advantage.lt(0.0));
        return high.logical_or(low).MoveToOuterDisposeScope();
    }
}
