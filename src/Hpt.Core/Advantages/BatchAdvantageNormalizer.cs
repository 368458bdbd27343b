using Hpt.Core.Gating;

namespace Hpt.Core.Advantages;

/// <summary>
/// REINFORCE++'s batch whitening: (A - mean) / sqrt(var + 1e-8) over every RL rollout advantage of a training step
/// (unbiased variance, as verl's <c>masked_whiten</c>). Expert advantages are left alone. The trainer runs it once
/// per step over the step's rollout rows when <see cref="IAdvantageEstimator.RequiresBatchNormalization"/> is true.
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
        var (mean, scale) = Moments(all);
        return decisions
            .Select(d => d.KeepsRollouts
                ? d with { RolloutAdvantages = d.RolloutAdvantages.Select(a => (a - mean) * scale).ToArray() }
                : d)
            .ToArray();
    }

    /// <summary>The whitened values of <paramref name="advantages"/>, same order (empty stays empty).</summary>
    public static double[] Whiten(IReadOnlyList<double> advantages)
    {
        if (advantages.Count == 0)
        {
            return [];
        }
        var (mean, scale) = Moments(advantages);
        return advantages.Select(a => (a - mean) * scale).ToArray();
    }

    private static (double Mean, double Scale) Moments(IReadOnlyList<double> all)
    {
        var mean = all.Average();
        var variance = all.Count > 1 ? all.Sum(a => (a - mean) * (a - mean)) / (all.Count - 1) : 0.0;
        return (mean, 1.0 / Math.Sqrt(variance + 1e-8));
    }
}
