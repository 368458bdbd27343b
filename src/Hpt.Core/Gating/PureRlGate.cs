using Hpt.Core.Advantages;

namespace Hpt.Core.Gating;

/// <summary>Plain on-policy RL: every prompt trains its rollouts; demonstrations are ignored. Name <c>rl</c>.</summary>
public sealed record PureRlGate(IAdvantageEstimator Estimator, double SuccessThreshold = 1.0) : IGatePolicy
{
    public string Name => "rl";

    public GateDecision Decide(GroupOutcome outcome) =>
        GateDecisions.Rl(outcome, Estimator, GroupAccuracy.Accuracy(outcome.Rewards, SuccessThreshold), double.NaN);
}
