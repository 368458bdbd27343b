namespace Hpt.Actors.Protocol;

/// <summary>What one training step did, as plain numbers (journaled, printed, plotted).</summary>
public sealed record StepMetrics(
    long Step,
    double Loss,
    double RewardMean,
    double RewardStd,
    double ZeroVarianceGroupFraction,
    double OfflineDataRatio,
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
}
