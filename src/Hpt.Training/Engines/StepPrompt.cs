namespace Hpt.Training.Engines;

/// <summary>
/// One prompt of a training step as the trainer sees it: its text (expert rows are encoded after it) and the gate's
/// rows, rollouts first. An empty row list is a prompt the gate dropped.
/// </summary>
public sealed record StepPrompt(long Seq, string Prompt, IReadOnlyList<TrainRow> Rows)
{
    /// <summary>The rewards of every rollout of the group, kept or dropped by the gate (for reporting only).</summary>
    public IReadOnlyList<double> Rewards { get; init; } = [];
}
