namespace Hpt.Core.Advantages;

/// <summary>
/// Group mean and standard deviation with the official code's conventions (verl <c>compute_grpo_outcome_advantage</c>):
/// a group of one has mean 0 and std 1, so its advantage equals its reward; the std is the unbiased (n-1) one, as
/// <c>torch.std</c> computes it.
/// </summary>
public static class GroupStatistics
{
    public static double Mean(IReadOnlyList<double> values)
    {
        if (values.Count <= 1)
        {
            return 0.0;
        }
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
        }
        return sum / values.Count;
    }

    public static double UnbiasedStd(IReadOnlyList<double> values)
    {
        if (values.Count <= 1)
        {
            return 1.0;
        }
        var mean = Mean(values);
        var squares = 0.0;
        foreach (var v in values)
        {
            squares += (v - mean) * (v - mean);
        }
        return Math.Sqrt(squares / (values.Count - 1));
    }
}
