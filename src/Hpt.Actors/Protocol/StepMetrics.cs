namespace Hpt.Actors.Protocol;

/// <summary>
/// What one training step did, as plain numbers (journaled, printed, plotted). <paramref name="OfflinePromptRatio"/> is
/// the share of prompts with an expert row; <see cref="OfflineSampleRatio"/> the paper's Figure 6 ratio (expert rows /
/// all trained rows). <paramref name="MismatchKl"/> is KL(behaviour || pi_prox) by k3 over the rollout tokens.
/// </summary>
public sealed record StepMetrics(
    long Step,
    double Loss,
    double RewardMean,
    double RewardStd,
    double ZeroVarianceGroupFraction,
    double OfflinePromptRatio,
    double ResponseLengthMean,
    double TruncationRate,
    double Entropy,
    double ClipFraction,
    double MismatchKl,
    double GradNorm,
    bool UpdateSkipped,
    double StalenessMean,
    long StalenessMax,
    double LearnerSeconds,
    double LearnerIdleFraction,
    double PublishSeconds,
    int Prompts,
    int Rows,
    int Tokens,
    double Samples)
{
    /// <summary>Share of the rollout workers' time spent waiting for work, over this step's prompts.</summary>
    public double RolloutIdleFraction { get; init; }

    /// <summary>Prompts set aside so far in the run (hpt.pipeline.max-attempts): non-zero means data was skipped.</summary>
    public int SetAsidePrompts { get; init; }

    /// <summary>Expert rows / all trained rows of the step: the paper's Figure 6 "offline data ratio" (LUFFY: 1/8).</summary>
    public double OfflineSampleRatio { get; init; }

    /// <summary>Share of on-policy RL tokens whose behaviour weight pi_prox / pi_behaviour hit the cap (0 when the correction is off).</summary>
    public double TruncatedTokenFraction { get; init; }

    /// <summary>Seconds of the no-grad pass that scored pi_prox (included in <see cref="LearnerSeconds"/>).</summary>
    public double ProximalSeconds { get; init; }
}
