using Hpt.Actors.Coordinator;
using Hpt.Training.Engines;

namespace Hpt.Actors.Protocol;

/// <summary>
/// Command: the gate's decision for one prompt, with the rows to train. An empty row list means the prompt was gated
/// out (still counted as consumed so the step completes). The journaled group the decision was made on travels with
/// it, so every fact about the prompt (seq, attempt, problem, rewards, sample versions, timings) has one place.
/// </summary>
public sealed record TrainOnPrompt(
    GroupScored Group,
    Hpt.Core.Gating.GateRoute Route,
    double Accuracy,
    double Gamma,
    IReadOnlyList<TrainRow> Rows) : IPipelineMessage
{
    /// <summary>How many decisions the gate had made when it made this one (1, 2, ...): the gate's own order.</summary>
    public long GateOrdinal { get; init; }

    /// <summary>The gate policy's state right after this decision (<c>IGatePolicy.ExportState</c>); empty if stateless.</summary>
    public IReadOnlyDictionary<string, double> GateState { get; init; } = new Dictionary<string, double>();

    public long Seq => Group.Seq;

    public int Attempt => Group.Attempt;

    private RolloutsGenerated Generated => Group.Verified.Group;

    /// <summary>The prompt as it was issued (what a returned prompt is named by).</summary>
    public PromptWork Work => Generated.Work;

    /// <summary>The rewards of every rollout of the group, kept by the gate or not.</summary>
    public double[] Rewards => Group.Verified.Rewards;

    /// <summary>The policy versions the group's samples came from (kept or dropped): the staleness bound counts from them.</summary>
    public SampleVersions Versions => Generated.Versions;

    public int RolloutTokens => Generated.Rollouts.Sum(r => r.ResponseTokens.Length);

    /// <summary>Rollouts of the group that hit the token limit, kept or not (an SFT-routed group keeps none, and its truncations count).</summary>
    public int TruncatedRollouts => Generated.Rollouts.Count(r => r.Truncated);

    /// <summary>How long the rollout worker spent generating this group, and how long it had waited for it.</summary>
    public double GenerationSeconds => Generated.Seconds;

    public double RolloutIdleSeconds => Generated.IdleSeconds;

    /// <summary>What the trainer needs of this decision: plain values, no message.</summary>
    public StepPrompt ForTrainer() => new(Seq, Group.Problem.Prompt, Rows) { Rewards = Rewards };
}

/// <summary>Fact: the learner refused a sample older than the staleness bound; the coordinator issues the prompt again.</summary>
public sealed record PromptTooStale(PromptWork Work, int Attempt, long SampleVersion, long LearnerVersion) : IPipelineMessage;

/// <summary>Fact: one training step is done and produced policy version <paramref name="PolicyVersion"/> (step n, version n).</summary>
public sealed record StepCompleted(long PolicyVersion, IReadOnlyList<long> ConsumedSeqs, StepMetrics Metrics)
    : IPipelineMessage
{
    /// <summary>The gate's state after the last decision this step trained: what a resume from this step restores.</summary>
    public IReadOnlyDictionary<string, double>? GateState { get; init; }
}

/// <summary>Fact: the learner dropped a second copy of an already trained or pending prompt.</summary>
public sealed record DuplicateDropped(long Seq, int Attempt) : IPipelineMessage;

/// <summary>Fact: the learner has a new policy version; the coordinator forwards it to the rollout workers.</summary>
public sealed record PolicyPublished(PolicySnapshot Snapshot) : IPipelineMessage;

/// <summary>Command (graceful shutdown): write a checkpoint of the current policy now; replies <see cref="CheckpointSaved"/>.</summary>
public sealed record SaveCheckpointNow : IPipelineMessage
{
    public static readonly SaveCheckpointNow Instance = new();
}

/// <summary>Fact: a checkpoint of <paramref name="Step"/> is on disk (or nothing was due: <paramref name="Folder"/> is null).</summary>
public sealed record CheckpointSaved(long Step, string? Folder) : IPipelineMessage;
