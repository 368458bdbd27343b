using Hpt.Core.Advantages;

namespace Hpt.Core.Gating;

/// <summary>
/// Threshold gate whose gamma is driven towards a target offline-data ratio (expert rows / all rows of a step, the
/// quantity of the paper's Figure 6): when a step closes, gamma += Rate * (target - observed), clamped to [0, 1].
/// A step closes when the first prompt of a later step arrives. Name <c>target-ratio</c>.
/// State (exported as plain numbers): gamma, the open step, and its expert and total row counts.
/// </summary>
public sealed class TargetRatioGate(
    double initialGamma,
    double targetRatio,
    double rate,
    IAdvantageEstimator estimator,
    ExpertTraining training = ExpertTraining.Sft,
    double successThreshold = 1.0) : IGatePolicy
{
    private long _step = long.MinValue;
    private double _expertRows;
    private double _totalRows;

    public string Name => "target-ratio";

    public double Gamma { get; private set; } = initialGamma;

    public double TargetRatio => targetRatio;

    public GateDecision Decide(GroupOutcome outcome)
    {
        if (outcome.Step > _step)
        {
            CloseStep();
            _step = outcome.Step;
        }
        var decision = ThresholdGate.DecideWith(outcome, Gamma, estimator, training, successThreshold);
        foreach (var row in decision.TrainingRows())
        {
            _totalRows++;
            if (row.IsExpert)
            {
                _expertRows++;
            }
        }
        return decision;
    }

    public IReadOnlyDictionary<string, double> ExportState() => new Dictionary<string, double>
    {
        ["gamma"] = Gamma,
        ["step"] = _step,
        ["expert-rows"] = _expertRows,
        ["total-rows"] = _totalRows,
    };

    public void ImportState(IReadOnlyDictionary<string, double> state)
    {
        Gamma = state["gamma"];
        _step = (long)state["step"];
        _expertRows = state["expert-rows"];
        _totalRows = state["total-rows"];
    }

    private void CloseStep()
    {
        if (_totalRows > 0)
        {
            var observed = _expertRows / _totalRows;
            Gamma = Math.Clamp(Gamma + rate * (targetRatio - observed), 0.0, 1.0);
        }
        _expertRows = 0;
        _totalRows = 0;
    }
}
