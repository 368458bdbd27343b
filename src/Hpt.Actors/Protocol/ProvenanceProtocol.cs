using Hpt.Core.Gating;

namespace Hpt.Actors.Protocol;

/// <summary>
/// Where one trained prompt's data came from: the policy versions that sampled it, the gate's decision with P and
/// gamma, and the rewards. Published by the learner after each step (event stream), written to provenance.jsonl.
/// </summary>
public sealed record PromptProvenance(
    long Seq,
    int Attempt,
    int Epoch,
    string ProblemId,
    GateRoute Route,
    double Accuracy,
    double Gamma,
    double[] Rewards,
    long OldestVersion,
    long NewestVersion,
    int Rows) : IPipelineMessage;

/// <summary>Fact: the provenance of every prompt trained in step <paramref name="Step"/>.</summary>
public sealed record StepProvenance(long Step, IReadOnlyList<PromptProvenance> Prompts) : IPipelineMessage;
