using Hpt.Core.Advantages;
using Hpt.Core.Gating;

namespace Hpt.Core.Tests.Gating;

public sealed class AdaptiveGammaGateTests
{
    private static readonly IAdvantageEstimator DrGrpo = new DrGrpoAdvantage();

    [Fact]
    public void Scheduled_gamma_moves_linearly_then_holds_its_end_value()
    {
        var gate = new ScheduledGammaGate(0.5, 0.0, 100, DrGrpo);
        Assert.Equal(0.5, gate.GammaAt(0));
        Assert.Equal(0.25, gate.GammaAt(50), 12);
        Assert.Equal(0.0, gate.GammaAt(100));
        Assert.Equal(0.0, gate.GammaAt(1000));
        // 2 of 8 correct: SFT at step 0 (gamma 0.5), RL at step 60 (gamma 0.2).
        double[] rewards = [1, 1, 0, 0, 0, 0, 0, 0];
        Assert.Equal(GateRoute.ExpertOnly, gate.Decide(new("q", rewards, 0, true)).Route);
        Assert.Equal(GateRoute.RlOnly, gate.Decide(new("q", rewards, 60, true)).Route);
    }

    [Fact]
    public void Target_ratio_gate_raises_gamma_when_a_step_had_too_little_offline_data()
    {
        var gate = new TargetRatioGate(0.0, targetRatio: 0.5, rate: 0.5, DrGrpo);
        gate.Decide(new("a", [1, 1, 1, 1], 1, true));
        gate.Decide(new("b", [1, 0, 1, 1], 1, true));
        Assert.Equal(0.0, gate.Gamma);

        // Step 1 had 8 rollout rows and no expert row: ratio 0, so gamma += 0.5 * (0.5 - 0).
        var decision = gate.Decide(new("c", [1, 0, 0, 0], 2, true));
        Assert.Equal(0.25, gate.Gamma, 12);
        Assert.Equal(0.25, decision.Gamma, 12);
        Assert.Equal(GateRoute.ExpertOnly, decision.Route);
    }

    [Fact]
    public void Target_ratio_gate_lowers_gamma_when_a_step_had_too_much_offline_data()
    {
        var gate = new TargetRatioGate(0.5, targetRatio: 0.0, rate: 0.1, DrGrpo);
        gate.Decide(new("a", [0, 0, 0, 0], 1, true));
        gate.Decide(new("b", [0, 0, 0, 0], 2, true));
        Assert.Equal(0.4, gate.Gamma, 12);
    }

    [Fact]
    public void Target_ratio_gate_state_survives_export_and_import()
    {
        var gate = new TargetRatioGate(0.0, 0.5, 0.5, DrGrpo);
        gate.Decide(new("a", [1, 1], 1, true));
        gate.Decide(new("b", [0, 0], 1, true));
        var state = gate.ExportState();

        var restored = new TargetRatioGate(0.0, 0.5, 0.5, DrGrpo);
        ((IGatePolicy)restored).ImportState(state);
        Assert.Equal(state, restored.ExportState());

        var next = new GroupOutcome("c", [1, 0], 2, true);
        Assert.Equal(gate.Decide(next), restored.Decide(next));
        Assert.Equal(gate.Gamma, restored.Gamma);
    }

    [Fact]
    public void Stateless_gates_export_an_empty_state()
    {
        IGatePolicy gate = new ThresholdGate(0, DrGrpo);
        Assert.Empty(gate.ExportState());
    }
}
