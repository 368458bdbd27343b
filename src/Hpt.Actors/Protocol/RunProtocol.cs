using Akka.Actor;

namespace Hpt.Actors.Protocol;

/// <summary>Ask the coordinator to tell <paramref name="ReplyTo"/> once the run has trained all its steps.</summary>
public sealed record WatchRun(IActorRef ReplyTo) : IPipelineMessage;

/// <summary>Fact: the run finished its configured steps.</summary>
public sealed record RunCompleted(long Steps, long PolicyVersion) : IPipelineMessage;

/// <summary>Fact, published to progress listeners after every step.</summary>
public sealed record RunProgress(long Step, long TotalSteps, StepMetrics Metrics, double ElapsedSeconds) : IPipelineMessage;

/// <summary>Ask the coordinator for a snapshot of its bookkeeping (tests, status command).</summary>
public sealed record GetRunStatus : IPipelineMessage
{
    public static readonly GetRunStatus Instance = new();
}

/// <summary>The coordinator's bookkeeping, as plain values.</summary>
public sealed record RunStatus(
    long Step,
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

    /// <summary>The gate policy's state as of <paramref name="Step"/> (null: fresh gate).</summary>
    public IReadOnlyDictionary<string, double>? GateState { get; init; }
}

/// <summary>
/// Command on resume: continue from step <paramref name="Step"/>, the step of the checkpoint the learner loaded.
/// Replies with the <see cref="RunStatus"/> after the rollback (if any).
/// </summary>
public sealed record ResumeFrom(long Step) : IPipelineMessage;

/// <summary>Wiring: where the coordinator forwards journaled verdicts (the gate). Sent once the gate exists.</summary>
public sealed record AttachGate(Akka.Actor.IActorRef Gate) : IPipelineMessage;
