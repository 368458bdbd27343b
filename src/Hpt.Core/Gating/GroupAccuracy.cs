namespace Hpt.Core.Gating;

/// <summary>Counts correct rollouts: reward at least the success threshold (the official code counts reward == 1).</summary>
public static class GroupAccuracy
{
    public static int CorrectCount(IReadOnlyList<double> rewards, double successThreshold)
    {
        var count = 0;
        foreach (var r in rewards)
        {
            if (r >= successThreshold)
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>P = correct / n; 0 for an empty group.</summary>
    public static double Accuracy(IReadOnlyList<double> rewards, double successThreshold) =>
        rewards.Count == 0 ? 0.0 : (double)CorrectCount(rewards, successThreshold) / rewards.Count;
}
