using Hpt.Core.Advantages;

namespace Hpt.Core.Gating;

/// <summary>
/// The official code's gate (<c>select_on_off_ada_balance</c>, strategy "switch"): count the rollouts with reward at
/// least the success threshold; if that count is at most <paramref name="MaxCorrect"/> (0 for Qwen, 2 for LLaMA), the
/// rollouts are replaced by the expert demonstration. Same as <see cref="ThresholdGate"/> with gamma = MaxCorrect/n,
/// but in integers, as the released scripts configure it. Name <c>correct-count</c>.
/// </summary>
public sealed record CorrectCountGate(
    int MaxCorrect,
    IAdvantageEstimator Estimator,
    ExpertTraining Training = ExpertTraining.Sft,
    double SuccessThreshold = 1.0) : IGatePolicy
{
    public string Name => "correct-count";

    public GateDecision Decide(GroupOutcome outcome)
    {
        var n = outcome.Rewards.Count;
        var correct = GroupAccuracy.CorrectCount(outcome.Rewards, SuccessThreshold);
        var p = n == 0 ? 0.0 : (double)correct / n;
        var gamma = n == 0 ? 0.0 : (double)MaxCorrect / n;
        return correct <= MaxCorrect
            ? GateDecisions.Expert(outcome, Estimator, Training, p, gamma)
            : GateDecisions.Rl(outcome, Estimator, p, gamma);
    }
}
