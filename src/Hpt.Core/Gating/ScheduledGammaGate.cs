using Hpt.Core.Advantages;

namespace Hpt.Core.Gating;

/// <summary>
/// Threshold gate whose gamma moves linearly from <paramref name="Start"/> to <paramref name="End"/> over the first
/// <paramref name="Steps"/> training steps, then stays at End (e.g. start SFT-heavy, end RL-only). The paper's open
/// question 3; a pure function of the step, so there is no state to persist. Name <c>scheduled-gamma</c>.
/// </summary>
public sealed record ScheduledGammaGate(
    double Start,
    double End,
    long Steps,
    IAdvantageEstimator Estimator,
    ExpertTraining Training = ExpertTraining.Sft,
    double SuccessThreshold = 1.0) : IGatePolicy
{
    public string Name => "scheduled-gamma";

    public double GammaAt(long step) =>
        Steps <= 0 ? End : Start + (End - Start) * Math.Clamp((double)step / Steps, 0.0, 1.0);

    public GateDecision Decide(GroupOutcome outcome) =>
        ThresholdGate.DecideWith(outcome, GammaAt(outcome.Step), Estimator, Training, SuccessThreshold);
}
