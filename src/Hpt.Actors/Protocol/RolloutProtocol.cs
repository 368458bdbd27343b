using Akka.Actor;
using Hpt.Training.Engines;

namespace Hpt.Actors.Protocol;

/// <summary>A rollout worker is idle and asks the coordinator for one prompt (pull-based: the backpressure).</summary>
public sealed record RequestWork(IActorRef Worker, string WorkerId, long PolicyVersion) : IPipelineMessage;

/// <summary>
/// An idle worker makes sure the coordinator knows it: a <see cref="RequestWork"/> if the coordinator has never seen
/// it (a coordinator singleton that moved to another node starts without workers), ignored otherwise. Sent
/// periodically on a cluster, so unlike a repeated RequestWork it never discards the worker's current assignment.
/// </summary>
public sealed record RegisterWorker(IActorRef Worker, string WorkerId, long PolicyVersion) : IPipelineMessage;

/// <summary>Command: sample <paramref name="Samples"/> responses for the prompt with a policy of at least <paramref name="MinVersion"/>.</summary>
public sealed record GenerateRollouts(PromptWork Work, int Attempt, int Samples, long MinVersion) : IPipelineMessage;

/// <summary>
/// Fact: a prompt's group of rollouts is generated (not yet verified). <paramref name="Step"/> is the training step
/// the prompt was issued at (step-scheduled gates use it).
/// </summary>
public sealed record RolloutsGenerated(PromptWork Work, int Attempt, long Step, string WorkerId, IReadOnlyList<Rollout> Rollouts, double Seconds)
    : IPipelineMessage
{
    /// <summary>How long the worker waited for this prompt after asking for work (its idle time).</summary>
    public double IdleSeconds { get; init; }
}

/// <summary>Fact: a worker failed on a prompt (it crashed and is being restarted); the prompt must be issued again.</summary>
public sealed record RolloutsFailed(PromptWork Work, int Attempt, string WorkerId, string Reason) : IPipelineMessage;

/// <summary>Command to workers: use this policy version for every prompt from now on (switch at the next safe point).</summary>
public sealed record UpdatePolicy(long Version, PolicySnapshot Snapshot) : IPipelineMessage;
