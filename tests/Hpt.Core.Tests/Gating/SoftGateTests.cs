using Hpt.Core.Advantages;
using Hpt.Core.Gating;

namespace Hpt.Core.Tests.Gating;

public sealed class SoftGateTests
{
    private static readonly SoftGate Gate = new(0.0, 0.5, new DrGrpoAdvantage());

    [Fact]
    public void Soft_gate_imitates_only_when_no_rollout_is_correct()
    {
        var decision = Gate.Decide(new("q", [0, 0, 0, 0], 0, true));
        Assert.Equal(GateRoute.ExpertOnly, decision.Route);
        Assert.Equal(1.0, decision.Beta);
    }

    [Fact]
    public void Soft_gate_reinforces_only_at_or_above_the_high_accuracy()
    {
        var decision = Gate.Decide(new("q", [1, 1, 0, 0], 0, true));
        Assert.Equal(GateRoute.RlOnly, decision.Route);
        Assert.Equal(1.0, decision.Alpha);
    }

    [Fact]
    public void Soft_gate_blends_rollouts_and_demonstration_in_between()
    {
        var decision = Gate.Decide(new("q", [1, 0, 0, 0], 0, true));
        Assert.Equal(GateRoute.Mixed, decision.Route);
        Assert.Equal((0.5, 0.5, 0.0), (decision.Alpha, decision.Beta, decision.ExpertRlWeight));
        var rows = decision.TrainingRows();
        Assert.Equal(5, rows.Count);
        Assert.All(rows.Take(4), r => Assert.Equal((0.5, 0.0), (r.RlWeight, r.SftWeight)));
        Assert.Equal((0.0, 0.5), (rows[4].RlWeight, rows[4].SftWeight));
        Assert.Equal(0.75, rows[0].Advantage, 12);
    }

    [Fact]
    public void Soft_gate_without_demonstration_trains_rollouts_at_full_weight()
    {
        var decision = Gate.Decide(new("q", [0, 0], 0, false));
        Assert.Equal(GateRoute.RlOnly, decision.Route);
        Assert.Equal(1.0, decision.Alpha);
    }
}
