using Akka.Actor;

namespace Hpt.Actors.Protocol;

/// <summary>Ask the coordinator to tell <paramref name="ReplyTo"/> once the run has trained all its steps.</summary>
public sealed record WatchRun(IActorRef ReplyTo) : IPipelineMessage;

/// <summary>Fact: the run finished its configured steps; <paramref name="PolicyVersion"/> is the steps trained.</summary>
public sealed record RunCompleted(long PolicyVersion) : IPipelineMessage;

/// <summary>Fact, published to progress listeners after every step.</summary>
public sealed record RunProgress(long Step, long TotalSteps, StepMetrics Metrics, double ElapsedSeconds) : IPipelineMessage;

/// <summary>Ask the coordinator for a snapshot of its bookkeeping (tests, status command).</summary>
public sealed record GetRunStatus : IPipelineMessage
{
    public static readonly GetRunStatus Instance = new();
}

/// <summary>The coordinator's bookkeeping, as plain values (<paramref name="PolicyVersion"/>: the steps trained so far).</summary>
public sealed record RunStatus(
    long PolicyVersion,
    long Accepted,
    int InFlight,
    int Requeued,
    int Workers,
    IReadOnlyList<long> TrainedSeqs,
    bool Completed) : IPipelineMessage
{
    /// <summary>Prompts set aside after hpt.pipeline.max-attempts failed generations.</summary>
    public int SetAside { get; init; }

    /// <summary>The gate policy's state as of <see cref="PolicyVersion"/> (null: fresh gate).</summary>
    public IReadOnlyDictionary<string, double>? GateState { get; init; }
}

/// <summary>
/// Command on resume: continue from step <paramref name="Step"/>, the step of the checkpoint the learner loaded.
/// Replies with the <see cref="RunStatus"/> after the rollback (if any).
/// </summary>
public sealed record ResumeFrom(long Step) : IPipelineMessage;

/// <summary>
/// The gate announces itself to the coordinator when it starts: from then on the coordinator forwards journaled
/// verdicts to it (first every one the journal holds that is not trained yet). The gate is created last, after the
/// coordinator and the learner it needs, so no reference is patched in after construction.
/// </summary>
public sealed record GateReady(Akka.Actor.IActorRef Gate) : IPipelineMessage;
