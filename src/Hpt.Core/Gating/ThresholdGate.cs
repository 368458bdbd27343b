using Hpt.Core.Advantages;

namespace Hpt.Core.Gating;

/// <summary>
/// The paper's binary gate (Eq. 9-10): P &lt;= gamma sends the prompt to its expert demonstration (rollouts dropped),
/// otherwise its rollouts are trained by RL. <paramref name="Training"/> picks SFT (HPT), off-policy RL (OFF/ON) or
/// both (Mix/ON) for the expert. Name <c>threshold</c>.
/// </summary>
public sealed record ThresholdGate(
    double Gamma,
    IAdvantageEstimator Estimator,
    ExpertTraining Training = ExpertTraining.Sft,
    double SuccessThreshold = 1.0) : IGatePolicy
{
    /// <summary>
    /// Slack on the comparison, so that P = 2/8 counts as "at" gamma = 0.25 after the division, and a gamma written
    /// as 0.333 still admits P = 1/3 only if the caller means it (1e-9 is far below 1/n for any real n).
    /// </summary>
    public const double Tolerance = 1e-9;

    public string Name => "threshold";

    public GateDecision Decide(GroupOutcome outcome) => DecideWith(outcome, Gamma, Estimator, Training, SuccessThreshold);

    /// <summary>The rule itself, shared by the gates whose gamma moves (scheduled, target-ratio).</summary>
    public static GateDecision DecideWith(GroupOutcome outcome, double gamma, IAdvantageEstimator estimator,
        ExpertTraining training, double successThreshold)
    {
        var p = GroupAccuracy.Accuracy(outcome.Rewards, successThreshold);
        return p <= gamma + Tolerance
            ? GateDecisions.Expert(outcome, estimator, training, p, gamma)
            : GateDecisions.Rl(outcome, estimator, p, gamma);
    }
}
