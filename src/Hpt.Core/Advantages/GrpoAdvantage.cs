namespace Hpt.Core.Advantages;

/// <summary>
/// GRPO (Shao et al. 2024): A_i = (R_i - mean R) / (std R + 1e-6), with the unbiased std and the epsilon of the
/// official code. A group whose rewards are all equal gets 0 everywhere. Name <c>grpo</c>.
/// </summary>
public sealed record GrpoAdvantage : IAdvantageEstimator
{
    /// <summary>Added to the std, as verl does, so an all-equal group gives 0 instead of 0/0.</summary>
    public const double Epsilon = 1e-6;

    public string Name => "grpo";

    public double[] Compute(IReadOnlyList<double> rewards)
    {
        var mean = GroupStatistics.Mean(rewards);
        var std = GroupStatistics.UnbiasedStd(rewards);
        var result = new double[rewards.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (rewards[i] - mean) / (std + Epsilon);
        }
        return result;
    }
}
