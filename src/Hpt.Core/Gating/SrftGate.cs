using Hpt.Core.Advantages;

namespace Hpt.Core.Gating;

/// <summary>
/// SRFT as the official HPT repository implements it (<c>offline_loss_type=srft</c>): rollouts and expert in one group;
/// the expert row gets both an SFT term and an off-policy RL term whose advantage is centred on the whole group; the
/// rollouts get +-1 (correct / wrong), which the loss turns into 0.1 * exp(H) / -1 (advantage shaping
/// <c>srft-entropy</c>). Name <c>srft</c>.
/// </summary>
public sealed record SrftGate(IAdvantageEstimator Estimator, double SuccessThreshold = 1.0) : IGatePolicy
{
    public string Name => "srft";

    public GateDecision Decide(GroupOutcome outcome) =>
        GateDecisions.MixedGroup(outcome, Estimator, ExpertTraining.SftAndOffPolicy,
            GroupAccuracy.Accuracy(outcome.Rewards, SuccessThreshold), double.NaN,
            new SignedRewardAdvantage(SuccessThreshold));
}
