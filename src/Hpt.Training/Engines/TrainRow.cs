namespace Hpt.Training.Engines;

/// <summary>
/// One row the learner trains on: a sampled rollout, or the expert demonstration (then <paramref name="Rollout"/> is
/// null and <paramref name="ExpertText"/> holds it). The weights are the gate's: the row's RL term is scaled by
/// <paramref name="RlWeight"/> and its SFT term by <paramref name="SftWeight"/>.
/// </summary>
public sealed record TrainRow(
    Rollout? Rollout,
    string? ExpertText,
    double Advantage,
    double RlWeight,
    double SftWeight)
{
    public bool IsExpert => Rollout is null;
}
