using Hpt.Core.Advantages;

namespace Hpt.Core.Gating;

/// <summary>
/// Continuous gating: alpha = clamp((P - Low) / (High - Low), 0, 1), beta = 1 - alpha, so a prompt is mostly imitated
/// while the model rarely solves it and mostly reinforced once it often does. Both rows train together in between.
/// An extension the paper leaves open (its switch functions are steps). Name <c>soft</c>.
/// </summary>
public sealed record SoftGate(double Low, double High, IAdvantageEstimator Estimator, double SuccessThreshold = 1.0)
    : IGatePolicy
{
    public string Name => "soft";

    public GateDecision Decide(GroupOutcome outcome)
    {
        if (!(High > Low))
        {
            throw new InvalidOperationException($"Soft gate needs high > low, got low={Low}, high={High}.");
        }
        var p = GroupAccuracy.Accuracy(outcome.Rewards, SuccessThreshold);
        var alpha = Math.Clamp((p - Low) / (High - Low), 0.0, 1.0);
        return GateDecisions.Blend(outcome, Estimator, p, double.NaN, alpha, 1.0 - alpha);
    }
}
