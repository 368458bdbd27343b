using Akka.Actor;
using Hpt.Training.Engines;

namespace Hpt.Actors.Protocol;

/// <summary>
/// A rollout worker asks the coordinator for more prompts (pull-based: the backpressure). Credits add up: the
/// coordinator may send the worker as many prompts as it asked for in all its requests, minus those already sent, so
/// a worker that keeps several prompts in flight asks again while it has free slots without ever being sent more
/// than it can hold. Admission control (the staleness bound) still decides whether any prompt is issued at all.
/// </summary>
public sealed record RequestWork(IActorRef Worker, string WorkerId, long PolicyVersion) : IPipelineMessage
{
    /// <summary>How many more prompts the worker wants.</summary>
    public int Credits { get; init; } = 1;

    /// <summary>Prompts (seq, attempt) whose groups the worker has sent downstream since its last request.</summary>
    public IReadOnlyList<PromptAttempt> Delivered { get; init; } = [];

    /// <summary>
    /// The first request of a (re)started worker: it holds nothing, so credits and assignments of its previous
    /// incarnation are forgotten (a crashed worker hands its prompts back with <see cref="RolloutsFailed"/> first).
    /// </summary>
    public bool Fresh { get; init; }
}

/// <summary>One issue of a prompt: its seq and attempt number.</summary>
public readonly record struct PromptAttempt(long Seq, int Attempt);

/// <summary>
/// An idle worker makes sure the coordinator knows it: a <see cref="RequestWork"/> if the coordinator has never seen
/// it (a coordinator singleton that moved to another node starts without workers), ignored otherwise. Sent
/// periodically on a cluster, so unlike a repeated RequestWork it never discards the worker's current assignment.
/// </summary>
public sealed record RegisterWorker(IActorRef Worker, string WorkerId, long PolicyVersion) : IPipelineMessage
{
    /// <summary>How many prompts the worker wants (its free capacity), for a coordinator that has never seen it.</summary>
    public int Credits { get; init; } = 1;
}

/// <summary>
/// Command: sample <paramref name="Samples"/> responses for the prompt. <paramref name="IssueVersion"/> is the policy
/// version when the coordinator issued it: the worker samples with that policy or a newer one.
/// </summary>
public sealed record GenerateRollouts(PromptWork Work, int Attempt, int Samples, long IssueVersion) : IPipelineMessage;

/// <summary>
/// Fact: a prompt's group of rollouts is generated (not yet verified). <paramref name="IssueVersion"/> is the policy
/// version the prompt was issued at (<see cref="GenerateRollouts.IssueVersion"/>; step-scheduled gates use it); the
/// versions the samples came from are the rollouts' own (<see cref="Versions"/>).
/// </summary>
public sealed record RolloutsGenerated(PromptWork Work, int Attempt, long IssueVersion, string WorkerId, IReadOnlyList<Rollout> Rollouts, double Seconds)
    : IPipelineMessage
{
    /// <summary>How long the worker waited for this prompt after asking for work (its idle time).</summary>
    public double IdleSeconds { get; init; }

    /// <summary>The policy versions the group's samples came from: the one rule for a sample's version.</summary>
    public SampleVersions Versions => SampleVersions.Of(Rollouts);
}

/// <summary>Fact: a worker failed on a prompt (it crashed and is being restarted); the prompt must be issued again.</summary>
public sealed record RolloutsFailed(PromptWork Work, int Attempt, string WorkerId, string Reason) : IPipelineMessage;

/// <summary>Command to workers: use this policy (its version is the snapshot's) for every prompt from now on (switch at the next safe point).</summary>
public sealed record UpdatePolicy(PolicySnapshot Snapshot) : IPipelineMessage;
