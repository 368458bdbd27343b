namespace Hpt.Core.Gating;

/// <summary>
/// One row the learner trains for a prompt, as a gate decision lays it out. <paramref name="RolloutIndex"/> is the
/// rollout's position in <see cref="GroupOutcome.Rewards"/>, or null for the expert demonstration. The three numbers go
/// straight into <see cref="Upge.UpgeBatch"/>: Advantages[b], RlWeight[b], SftWeight[b].
/// </summary>
public sealed record TrainingRow(int? RolloutIndex, double Advantage, double RlWeight, double SftWeight)
{
    public bool IsExpert => RolloutIndex is null;
}
