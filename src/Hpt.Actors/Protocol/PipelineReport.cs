namespace Hpt.Actors.Protocol;

/// <summary>
/// Fact, published by the coordinator after every step and periodically: what the pipeline is doing, as plain values
/// (written to status.json for `hpt status`, and printed by the stall detector). A completed step is a new policy
/// version, so <see cref="PolicyVersion"/> is also the number of steps done: one counter, not two that must agree.
/// </summary>
public sealed record PipelineReport(
    DateTime UpdatedUtc,
    long PolicyVersion,
    long TotalSteps,
    double ElapsedSeconds,
    double SecondsSinceLastStep,
    double? LastStepSeconds,
    double? MeanStepSeconds,
    double? SamplesPerSecond,
    double? OfflineDataRatio,
    long Accepted,
    long Capacity,
    int WaitingToBeIssued,
    int VerifiedWaitingForLearner,
    int IdleWorkers,
    IReadOnlyList<WorkerReport> Workers,
    bool Completed,
    string? Stalled)
{
    /// <summary>Seconds to the last step at the recent pace, or null before there is one.</summary>
    public double? EtaSeconds => MeanStepSeconds is { } mean && !Completed ? mean * (TotalSteps - PolicyVersion) : null;

    /// <summary>What every role is doing, in a few lines (the stall detector's message).</summary>
    public string Describe()
    {
        var workers = Workers.Count == 0
            ? "no rollout workers registered"
            : string.Join("; ", Workers.Select(w => w.Prompts.Count == 0
                ? $"{w.WorkerId} (v{w.PolicyVersion}): idle"
                : $"{w.WorkerId} (v{w.PolicyVersion}): " + string.Join(", ", w.Prompts.Select(p => $"prompt {p.Seq}#{p.Attempt} for {p.Seconds:0}s"))));
        return $"step {PolicyVersion}/{TotalSteps} (policy v{PolicyVersion}), no step for {SecondsSinceLastStep:0}s; coordinator: {Accepted} accepted of " +
               $"capacity {Capacity}, {WaitingToBeIssued} waiting to be issued, {IdleWorkers} idle worker(s); gate/learner: " +
               $"{VerifiedWaitingForLearner} verified group(s) waiting for the step; rollout/verifiers: {workers}";
    }
}

/// <summary>One rollout worker: its policy version and the prompts it was given whose verified group is not back yet.</summary>
public sealed record WorkerReport(string WorkerId, long PolicyVersion, IReadOnlyList<PromptInFlight> Prompts);

public sealed record PromptInFlight(long Seq, int Attempt, double Seconds);

/// <summary>Fact, to the run's watchers: no step completed for hpt.pipeline.stall-abort; the run must stop.</summary>
public sealed record RunStalled(string Reason) : IPipelineMessage;
