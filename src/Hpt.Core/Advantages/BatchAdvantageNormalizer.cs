using Hpt.Core.Gating;

namespace Hpt.Core.Advantages;

/// <summary>
/// REINFORCE++'s batch whitening: (A - mean) / sqrt(var + 1e-8) over every RL rollout advantage of a training step
/// (unbiased variance, as verl's <c>masked_whiten</c>). Expert advantages are left alone. Call it once per step on
/// all decisions when <see cref="IAdvantageEstimator.RequiresBatchNormalization"/> is true.
/// </summary>
public static class BatchAdvantageNormalizer
{
    public static IReadOnlyList<GateDecision> Normalize(IReadOnlyList<GateDecision> decisions)
    {
        var all = decisions.Where(d => d.KeepsRollouts).SelectMany(d => d.RolloutAdvantages).ToArray();
        if (all.Length == 0)
        {
            return decisions;
        }
        var mean = all.Average();
        var variance = all.Length > 1 ? all.Sum(a => (a - mean) * (a - mean)) / (all.Length - 1) : 0.0;
        var scale = 1.0 / Math.Sqrt(variance + 1e-8);
        return decisions
            .Select(d => d.KeepsRollouts
                ? d with { RolloutAdvantages = d.RolloutAdvantages.Select(a => (a - mean) * scale).ToArray() }
                : d)
            .ToArray();
    }
}
