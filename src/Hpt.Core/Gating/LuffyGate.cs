using Hpt.Core.Advantages;

namespace Hpt.Core.Gating;

/// <summary>
/// LUFFY's mixing (Yan et al. 2025): every prompt trains its rollouts and its expert demonstration in one advantage
/// group (the official script: 7 rollouts + 1 expert, so the pipeline should sample n-1 rollouts). The expert is an
/// off-policy RL row (pi_ref = 1, policy-shaped by the loss). Name <c>luffy</c>.
/// </summary>
public sealed record LuffyGate(IAdvantageEstimator Estimator, double SuccessThreshold = 1.0) : IGatePolicy
{
    public string Name => "luffy";

    public GateDecision Decide(GroupOutcome outcome) =>
        GateDecisions.MixedGroup(outcome, Estimator, ExpertTraining.OffPolicy,
            GroupAccuracy.Accuracy(outcome.Rewards, SuccessThreshold), double.NaN);
}
