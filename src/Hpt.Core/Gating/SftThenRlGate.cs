using Hpt.Core.Advantages;

namespace Hpt.Core.Gating;

/// <summary>
/// The SFT -> GRPO baseline as one schedule: before <paramref name="SwitchStep"/> every prompt trains its expert
/// demonstration by SFT (prompts without one are dropped), from then on every prompt trains its rollouts by RL.
/// Name <c>sft-then-rl</c>.
/// </summary>
public sealed record SftThenRlGate(long SwitchStep, IAdvantageEstimator Estimator, double SuccessThreshold = 1.0)
    : IGatePolicy
{
    public string Name => "sft-then-rl";

    public GateDecision Decide(GroupOutcome outcome)
    {
        var p = GroupAccuracy.Accuracy(outcome.Rewards, SuccessThreshold);
        if (outcome.Step >= SwitchStep)
        {
            return GateDecisions.Rl(outcome, Estimator, p, double.NaN);
        }
        return outcome.HasExpert
            ? GateDecisions.Expert(outcome, Estimator, ExpertTraining.Sft, p, double.NaN)
            : GateDecisions.Drop(outcome, p, double.NaN);
    }
}
