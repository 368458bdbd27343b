namespace Hpt.Core.Advantages;

/// <summary>
/// RLOO (Ahmadian et al. 2024): A_i = R_i - mean of the other n-1 rewards. A group of one has no other member, so its
/// baseline is 0 and A = R (the same convention as the GRPO group of one). Name <c>rloo</c>.
/// </summary>
public sealed record RlooAdvantage : IAdvantageEstimator
{
    public string Name => "rloo";

    public double[] Compute(IReadOnlyList<double> rewards)
    {
        var n = rewards.Count;
        var result = new double[n];
        if (n == 1)
        {
            result[0] = rewards[0];
            return result;
        }
        var sum = 0.0;
        foreach (var r in rewards)
        {
            sum += r;
        }
        for (var i = 0; i < n; i++)
        {
            result[i] = rewards[i] - (sum - rewards[i]) / (n - 1);
        }
        return result;
    }
}
