namespace Hpt.Core.Advantages;

/// <summary>
/// REINFORCE's fixed +-1 advantage (Table 1): +1 for a correct rollout (reward at least
/// <paramref name="SuccessThreshold"/>), -1 otherwise. Name <c>reinforce</c>. SRFT's on-policy rows start from the same
/// signs; the loss then scales the positive ones by 0.1 * exp(H) (<c>algorithm.advantage-shaping = srft-entropy</c>),
/// because H is the learner's entropy and is not known when the gate runs.
/// </summary>
public sealed record SignedRewardAdvantage(double SuccessThreshold = 1.0) : IAdvantageEstimator
{
    public string Name => "reinforce";

    public double[] Compute(IReadOnlyList<double> rewards)
    {
        var result = new double[rewards.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = rewards[i] >= SuccessThreshold ? 1.0 : -1.0;
        }
        return result;
    }
}
