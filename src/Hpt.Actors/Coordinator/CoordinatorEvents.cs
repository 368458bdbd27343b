using Hpt.Actors.Protocol;

namespace Hpt.Actors.Coordinator;

/// <summary>What the coordinator journals: every change of its state is one of these facts.</summary>
public interface ICoordinatorEvent : IPipelineMessage;

/// <summary>A prompt was handed to a rollout worker.</summary>
public sealed record PromptIssued(long Seq, int Attempt) : ICoordinatorEvent;

/// <summary>
/// An issued prompt came back untrained (worker crash, over-stale sample, dead node) and waits to be issued again.
/// <paramref name="Failed"/>: its generation failed (counts against hpt.pipeline.max-attempts); false for staleness.
/// </summary>
public sealed record PromptReturned(long Seq, int Attempt, string Reason, bool Failed = false) : ICoordinatorEvent;

/// <summary>
/// A prompt used up hpt.pipeline.max-attempts (or its journaled group cannot be trained): it is never issued again and
/// the next prompt of the data order takes its place in the step.
/// </summary>
public sealed record PromptSetAside(long Seq, int Attempt, string Reason) : ICoordinatorEvent;

/// <summary>
/// A training step finished: the policy version it produced (step n trains version n: the number is also the step's,
/// the key of the rollback history and of checkpoints), the prompts it consumed and its metrics, whose
/// <see cref="StepMetrics.Step"/> is the same number (the coordinator sets it; the stored record keeps it once).
/// </summary>
public sealed record StepRecorded(long PolicyVersion, long[] Seqs, StepMetrics Metrics) : ICoordinatorEvent
{
    /// <summary>The gate policy's state after this step's last decision; null in journals written before it existed.</summary>
    public IReadOnlyDictionary<string, double>? GateState { get; init; }
}

/// <summary>
/// The run went back to step <paramref name="ToStep"/> (the newest intact checkpoint) from <paramref name="FromStep"/>:
/// the steps in between are trained again. Replaying the journal through this event gives the effective history.
/// </summary>
public sealed record RolledBack(long ToStep, long FromStep) : ICoordinatorEvent;

/// <summary>
/// A prompt's rollouts are generated and verified (tokens, behaviour log-probs, versions, rewards): journaled so that a
/// resume hands the group to the gate again instead of generating it a second time. The coordinator adds its own
/// <paramref name="Problem"/> (the rollout side never had the gold answer or the demonstration), and this event is what
/// the gate receives: the problem for its SFT rows, the verified group for its RL rows.
/// </summary>
public sealed record GroupScored(long Seq, int Attempt, Hpt.Tasks.Problem Problem, GroupVerified Verified) : ICoordinatorEvent;

/// <summary>
/// The learner has an intact checkpoint of step <paramref name="Step"/>: a rollback may return there, so its state is
/// kept (in the history and in snapshots) while older ones can go.
/// </summary>
public sealed record CheckpointCovered(long Step) : ICoordinatorEvent;
