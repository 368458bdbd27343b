namespace Hpt.Core.Advantages;

/// <summary>
/// Dr.GRPO (Liu et al. 2025): A_i = R_i - mean R, no division by the std. This is what the official HPT, LUFFY and
/// SRFT scripts run (<c>grpo_use_std=False</c>). Name <c>dr-grpo</c>.
/// </summary>
public sealed record DrGrpoAdvantage : IAdvantageEstimator
{
    public string Name => "dr-grpo";

    public double[] Compute(IReadOnlyList<double> rewards)
    {
        var mean = GroupStatistics.Mean(rewards);
        var result = new double[rewards.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = rewards[i] - mean;
        }
        return result;
    }
}
