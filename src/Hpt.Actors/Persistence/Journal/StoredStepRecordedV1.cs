using Hpt.Actors.Coordinator;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Persistence.Journal;

/// <summary>
/// Reader of <c>hpt.step-recorded.v1</c>. Never written. v1 stored one counter three times: <c>Step</c>,
/// <c>PolicyVersion</c> and <c>Metrics.Step</c>. Every build that wrote v1 wrote the same number into all three (the
/// learner reported <c>StepCompleted(engine.PolicyVersion, engine.PolicyVersion, ...)</c> with metrics built from
/// that version, and the coordinator copied both fields), so for any journal hpt wrote the choice is moot. Where the
/// fields differ (only the approved golden sample, Step 4 and PolicyVersion 5), <c>Step</c> is the one read: it is the
/// field the v1 build resumed by (the rollback history's key, which <c>RolledBack</c>, <c>CheckpointCovered</c> and
/// the checkpoint folders name, the snapshot cadence, the run's completion) and the one <c>Metrics.Step</c> agrees
/// with; <c>PolicyVersion</c> only sized admission control and stamped the work issued next.
/// </summary>
public sealed record StoredStepRecordedV1(long Step, long PolicyVersion, long[] Seqs, StoredStepMetricsV1 Metrics)
{
    public IReadOnlyDictionary<string, double>? GateState { get; init; }

    /// <summary>Read as the v2 record it would be today (one mapping into the live types, v2's).</summary>
    public StepRecorded ToEvent() => new StoredStepRecorded(Step, Seqs ?? [], Metrics.WithoutStep()) { GateState = GateState }.ToEvent();
}

/// <summary>The metrics of a v1 stored step, field by field in the order of the v1 bytes (with their own copy of the step).</summary>
public sealed record StoredStepMetricsV1(
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
    public double RolloutIdleFraction { get; init; }
    public int SetAsidePrompts { get; init; }
    public double OfflineSampleRatio { get; init; }
    public double TruncatedTokenFraction { get; init; }
    public double ProximalSeconds { get; init; }

    /// <summary>The metrics without their copy of the step (v2 keeps the number once, in the record).</summary>
    public StoredStepMetrics WithoutStep() =>
        new(Loss, RewardMean, RewardStd, ZeroVarianceGroupFraction, OfflinePromptRatio, ResponseLengthMean, TruncationRate, Entropy,
            ClipFraction, MismatchKl, GradNorm, UpdateSkipped, StalenessMean, StalenessMax, LearnerSeconds, LearnerIdleFraction,
            PublishSeconds, Prompts, Rows, Tokens, Samples, RolloutIdleFraction, SetAsidePrompts, OfflineSampleRatio,
            TruncatedTokenFraction, ProximalSeconds);
}
