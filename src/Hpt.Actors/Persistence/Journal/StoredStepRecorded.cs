using Hpt.Actors.Coordinator;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Persistence.Journal;

/// <summary>
/// <c>hpt.step-recorded.v2</c>: a recorded step with its metrics. The policy version the step produced is stored once
/// (v1 stored it three times: Step, PolicyVersion and the metrics' Step; see <see cref="StoredStepRecordedV1"/>); the
/// metrics' <see cref="StepMetrics.Step"/> is read back from it. The metrics are this record's own fields, not the
/// <see cref="StepMetrics"/> message: a metric added to the message is not stored until it is added here under a new
/// manifest (a test fails until then).
/// </summary>
public sealed record StoredStepRecorded(long PolicyVersion, long[] Seqs, StoredStepMetrics Metrics)
{
    /// <summary>Written in the gate's own key order (deterministic: the gate exports a fixed set of keys).</summary>
    public IReadOnlyDictionary<string, double>? GateState { get; init; }

    public static StoredStepRecorded From(StepRecorded e)
    {
        // The coordinator records the step's metrics under the version the step produced; a record whose metrics name
        // another step would lose that number here, so it is refused rather than stored wrong.
        if (e.Metrics.Step != e.PolicyVersion)
            throw new InvalidOperationException(
                $"StepRecorded of policy version {e.PolicyVersion} carries metrics of step {e.Metrics.Step}: {StoredManifests.StepRecordedV2} stores the number once");
        return new(e.PolicyVersion, e.Seqs, StoredStepMetrics.From(e.Metrics)) { GateState = e.GateState };
    }

    public StepRecorded ToEvent() => new(PolicyVersion, Seqs ?? [], Metrics.ToMetrics(PolicyVersion)) { GateState = GateState };
}

/// <summary>The metrics of a stored step, field by field (those of v1 without its copy of the step).</summary>
public sealed record StoredStepMetrics(
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
    double Samples,
    double RolloutIdleFraction,
    int SetAsidePrompts,
    double OfflineSampleRatio,
    double TruncatedTokenFraction,
    double ProximalSeconds)
{
    public static StoredStepMetrics From(StepMetrics m) =>
        new(m.Loss, m.RewardMean, m.RewardStd, m.ZeroVarianceGroupFraction, m.OfflinePromptRatio, m.ResponseLengthMean, m.TruncationRate,
            m.Entropy, m.ClipFraction, m.MismatchKl, m.GradNorm, m.UpdateSkipped, m.StalenessMean, m.StalenessMax, m.LearnerSeconds,
            m.LearnerIdleFraction, m.PublishSeconds, m.Prompts, m.Rows, m.Tokens, m.Samples, m.RolloutIdleFraction, m.SetAsidePrompts,
            m.OfflineSampleRatio, m.TruncatedTokenFraction, m.ProximalSeconds);

    public StepMetrics ToMetrics(long step) =>
        new(step, Loss, RewardMean, RewardStd, ZeroVarianceGroupFraction, OfflinePromptRatio, ResponseLengthMean, TruncationRate, Entropy,
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
