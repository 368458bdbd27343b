namespace Hpt.Core.Gating;

/// <summary>
/// The gate's verdict for one prompt (immutable). Loss = Alpha * L_RL(rollouts) + Beta * c_sft * L_SFT(expert)
/// + ExpertRlWeight * c_off * L_RL(expert as an off-policy row).
/// </summary>
/// <param name="Accuracy">P: the fraction of correct rollouts (reward at least the success threshold).</param>
/// <param name="Gamma">The threshold in force for this decision (NaN for policies without one).</param>
/// <param name="Alpha">Weight of the rollouts' RL term; 0 when the rollouts are dropped.</param>
/// <param name="Beta">Weight of the expert row's SFT term; 0 when there is none.</param>
/// <param name="ExpertRlWeight">Weight of the expert row as an off-policy RL row (LUFFY, SRFT, OFF/ON, Mix/ON).</param>
/// <param name="RolloutAdvantages">One per rollout, in reward order; empty when the rollouts are dropped.</param>
/// <param name="ExpertAdvantage">The expert row's advantage when it is trained as an RL row; 0 otherwise.</param>
public sealed record GateDecision(
    string PromptId,
    GateRoute Route,
    double Accuracy,
    double Gamma,
    double Alpha,
    double Beta,
    double ExpertRlWeight,
    IReadOnlyList<double> RolloutAdvantages,
    double ExpertAdvantage)
{
    // A record compares a list member by reference; decisions travel as messages and are compared in tests and on
    // replay, so equality here is by value, advantages included.
    public bool Equals(GateDecision? other) =>
        other is not null
        && PromptId == other.PromptId && Route == other.Route
        && Accuracy.Equals(other.Accuracy) && Gamma.Equals(other.Gamma)
        && Alpha.Equals(other.Alpha) && Beta.Equals(other.Beta) && ExpertRlWeight.Equals(other.ExpertRlWeight)
        && ExpertAdvantage.Equals(other.ExpertAdvantage)
        && RolloutAdvantages.SequenceEqual(other.RolloutAdvantages);

    public override int GetHashCode() =>
        HashCode.Combine(PromptId, Route, Accuracy, Gamma, Alpha, Beta, RolloutAdvantages.Count, ExpertAdvantage);

    public bool KeepsRollouts => Route is GateRoute.RlOnly or GateRoute.Mixed;

    public bool KeepsExpert => Route is GateRoute.ExpertOnly or GateRoute.Mixed;

    /// <summary>Number of rows this prompt contributes: rollouts first, then the expert row.</summary>
    public int RowCount => (KeepsRollouts ? RolloutAdvantages.Count : 0) + (KeepsExpert ? 1 : 0);

    /// <summary>The rows to train, rollouts first (in reward order), then the expert row.</summary>
    public IReadOnlyList<TrainingRow> TrainingRows()
    {
        var rows = new List<TrainingRow>(RowCount);
        if (KeepsRollouts)
        {
            for (var i = 0; i < RolloutAdvantages.Count; i++)
            {
                rows.Add(new TrainingRow(i, RolloutAdvantages[i], Alpha, 0.0));
            }
        }
        if (KeepsExpert)
        {
            rows.Add(new TrainingRow(null, ExpertAdvantage, ExpertRlWeight, Beta));
        }
        return rows;
    }
}
