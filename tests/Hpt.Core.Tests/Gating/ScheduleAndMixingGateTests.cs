using Hpt.Core.Advantages;
using Hpt.Core.Gating;

namespace Hpt.Core.Tests.Gating;

public sealed class ScheduleAndMixingGateTests
{
    private static readonly IAdvantageEstimator DrGrpo = new DrGrpoAdvantage();

    [Fact]
    public void Sft_then_rl_imitates_before_the_switch_step_and_reinforces_from_it()
    {
        var gate = new SftThenRlGate(10, DrGrpo);
        Assert.Equal(GateRoute.ExpertOnly, gate.Decide(new("q", [1, 1], 9, true)).Route);
        Assert.Equal(GateRoute.RlOnly, gate.Decide(new("q", [0, 0], 10, true)).Route);
        Assert.Equal(GateRoute.Drop, gate.Decide(new("q", [1, 0], 9, false)).Route);
    }

    [Fact]
    public void Pure_sft_drops_prompts_without_demonstration_and_pure_rl_ignores_demonstrations()
    {
        Assert.Equal(GateRoute.Drop, new PureSftGate(DrGrpo).Decide(new("q", [0], 0, false)).Route);
        Assert.Equal(GateRoute.ExpertOnly, new PureSftGate(DrGrpo).Decide(new("q", [1], 0, true)).Route);
        Assert.Equal(GateRoute.RlOnly, new PureRlGate(DrGrpo).Decide(new("q", [0, 0], 0, true)).Route);
    }

    [Fact]
    public void Luffy_puts_the_demonstration_in_the_rollouts_advantage_group()
    {
        var decision = new LuffyGate(DrGrpo).Decide(new("q", [1, 0, 0], 0, true, ExpertReward: 1));
        // Group [1, 0, 0, 1]: mean 0.5.
        Assert.Equal(GateRoute.Mixed, decision.Route);
        Assert.Equal([0.5, -0.5, -0.5], decision.RolloutAdvantages);
        Assert.Equal(0.5, decision.ExpertAdvantage);
        Assert.Equal((1.0, 0.0, 1.0), (decision.Alpha, decision.Beta, decision.ExpertRlWeight));
        var rows = decision.TrainingRows();
        Assert.Equal(4, rows.Count);
        Assert.Equal(new TrainingRow(null, 0.5, 1.0, 0.0), rows[3]);
    }

    [Fact]
    public void Srft_gives_rollouts_signed_rewards_and_the_demonstration_sft_plus_group_advantage()
    {
        var decision = new SrftGate(DrGrpo).Decide(new("q", [1, 0, 0], 0, true));
        Assert.Equal([1.0, -1.0, -1.0], decision.RolloutAdvantages);
        Assert.Equal(0.5, decision.ExpertAdvantage);
        Assert.Equal((1.0, 1.0, 1.0), (decision.Alpha, decision.Beta, decision.ExpertRlWeight));
    }

    [Fact]
    public void Mixing_gates_without_demonstration_train_the_rollouts_alone()
    {
        var decision = new LuffyGate(DrGrpo).Decide(new("q", [1, 0], 0, false));
        Assert.Equal(GateRoute.RlOnly, decision.Route);
        Assert.Equal([0.5, -0.5], decision.RolloutAdvantages);
    }
}
