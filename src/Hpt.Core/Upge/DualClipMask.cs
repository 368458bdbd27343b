using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// Dual clip (Ye et al. 2020): the PPO clip, and for negative advantages J is bounded below by C * A, so a huge ratio
/// on a bad token cannot produce an unbounded step. Name <c>dual-clip</c>.
/// </summary>
public sealed record DualClipMask(double EpsLow = 0.2, double EpsHigh = 0.2, double C = 3.0) : IStabilizationMask
{
    public string Name => "dual-clip";

    public Tensor Objective(Tensor ratio, Tensor logRatio, Tensor advantage)
    {
        using var scope = NewDisposeScope();
        var ppo = new PpoClipMask(EpsLow, EpsHigh).Objective(ratio, logRatio, advantage);
        var floor = maximum(ppo, advantage * C);
        return where(advantage.lt(0.0), floor, ppo).MoveToOuterDisposeScope();
    }

    public Tensor Clipped(Tensor ratio, Tensor advantage)
    {
        using var scope = NewDisposeScope();
        var ppo = new PpoClipMask(EpsLow, EpsHigh).Clipped(ratio, advantage);
        var dual = ratio.gt(C).logical_and(advantage.lt(0.0));
        return ppo.logical_or(dual).MoveToOuterDisposeScope();
    }
}
