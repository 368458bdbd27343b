using Hpt.Actors.Coordinator;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Persistence.Journal;

/// <summary>
/// <c>hpt.step-recorded.v1</c>: a recorded step with its metrics. The metrics are this record's own fields, not the
/// <see cref="StepMetrics"/> message: a metric added to the message is not stored until it is added here under a new
/// manifest (a test fails until then).
/// </summary>
public sealed record StoredStepRecorded(long Step, long PolicyVersion, long[] Seqs, StoredStepMetrics Metrics)
{
    /// <summary>Written in the gate's own key order (deterministic: the gate exports a fixed set of keys).</summary>
    public IReadOnlyDictionary<string, double>? GateState { get; init; }

    public static StoredStepRecorded From(StepRecorded e) =>
        new(e.Step, e.PolicyVersion, e.Seqs, StoredStepMetrics.From(e.Metrics)) { GateState = e.GateState };

    public StepRecorded ToEvent() => new(Step, PolicyVersion, Seqs ?? [], Metrics.ToMetrics()) { GateState = GateState };
}

/// <summary>The metrics of a stored step, field by field in the order of the v1 bytes.</summary>
public sealed record StoredStepMetrics(
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

    public static StoredStepMetrics From(StepMetrics m) =>
        new(m.Step, m.Loss, m.RewardMean, m.RewardStd, m.ZeroVarianceGroupFraction, m.OfflinePromptRatio, m.ResponseLengthMean,
            m.TruncationRate, m.Entropy, m.ClipFraction, m.MismatchKl, m.GradNorm, m.UpdateSkipped, m.StalenessMean, m.StalenessMax,
            m.LearnerSeconds, m.LearnerIdleFraction, m.PublishSeconds, m.Prompts, m.Rows, m.Tokens, m.Samples)
        {
            RolloutIdleFraction = m.RolloutIdleFraction,
            SetAsidePrompts = m.SetAsidePrompts,
            OfflineSampleRatio = m.OfflineSampleRatio,
            TruncatedTokenFraction = m.TruncatedTokenFraction,
            ProximalSeconds = m.ProximalSeconds,
        };

    public StepMetrics ToMetrics() =>
        new(Step, Loss, RewardMean, RewardStd, ZeroVarianceGroupFraction, OfflinePromptRatio, ResponseLengthMean, TruncationRate, Entropy,
            ClipFraction, MismatchKl, GradNorm, UpdateSkipped, StalenessMean, StalenessMax, LearnerSeconds, LearnerIdleFraction,
            PublishSeconds, Prompts, Rows, Tokens, Samples)
        {
            RolloutIdleFraction = RolloutIdleFraction,
            SetAsidePrompts = SetAsidePrompts,
            OfflineSampleRatio = OfflineSampleRatio,
            TruncatedTokenFraction = TruncatedTokenFraction,
            ProximalSeconds = ProximalSeconds,
        };
}
