using Hpt.Core.Advantages;

namespace Hpt.Core.Gating;

/// <summary>Plain SFT: every prompt trains its expert demonstration; prompts without one are dropped. Name <c>sft</c>.</summary>
public sealed record PureSftGate(IAdvantageEstimator Estimator, double SuccessThreshold = 1.0) : IGatePolicy
{
    public string Name => "sft";

    public GateDecision Decide(GroupOutcome outcome)
    {
        var p = GroupAccuracy.Accuracy(outcome.Rewards, SuccessThreshold);
        return outcome.HasExpert
            ? GateDecisions.Expert(outcome, Estimator, ExpertTraining.Sft, p, double.NaN)
            : GateDecisions.Drop(outcome, p, double.NaN);
    }
}
