using Hpt.Core.Advantages;
using Hpt.Core.Gating;

namespace Hpt.Core.Tests.Gating;

public sealed class ThresholdGateTests
{
    private static readonly IAdvantageEstimator DrGrpo = new DrGrpoAdvantage();

    private static GroupOutcome Outcome(int correct, int n, bool hasExpert = true) =>
        new("q", Enumerable.Range(0, n).Select(i => i < correct ? 1.0 : 0.0).ToArray(), 5, hasExpert);

    [Fact]
    public void Gate_routes_prompt_to_sft_when_accuracy_at_threshold()
    {
        var decision = new ThresholdGate(0.25, DrGrpo).Decide(Outcome(2, 8));

        Assert.Equal(GateRoute.ExpertOnly, decision.Route);
        Assert.Equal(0.25, decision.Accuracy);
        Assert.Equal(0.25, decision.Gamma);
        Assert.Equal((0.0, 1.0, 0.0), (decision.Alpha, decision.Beta, decision.ExpertRlWeight));
        Assert.Empty(decision.RolloutAdvantages);
        var row = Assert.Single(decision.TrainingRows());
        Assert.True(row.IsExpert);
        Assert.Equal((0.0, 1.0), (row.RlWeight, row.SftWeight));
    }

    [Fact]
    public void Gate_routes_prompt_to_rl_when_accuracy_just_above_threshold()
    {
        var decision = new ThresholdGate(0.25, DrGrpo).Decide(Outcome(3, 8));

        Assert.Equal(GateRoute.RlOnly, decision.Route);
        Assert.Equal((1.0, 0.0), (decision.Alpha, decision.Beta));
        Assert.Equal(8, decision.RolloutAdvantages.Count);
        Assert.Equal(1 - 3.0 / 8, decision.RolloutAdvantages[0], 12);
        Assert.Equal(-3.0 / 8, decision.RolloutAdvantages[7], 12);
        Assert.All(decision.TrainingRows(), r => Assert.False(r.IsExpert));
    }

    [Fact]
    public void Gate_with_gamma_zero_sends_only_all_wrong_groups_to_sft()
    {
        var gate = new ThresholdGate(0.0, DrGrpo);
        Assert.Equal(GateRoute.ExpertOnly, gate.Decide(Outcome(0, 8)).Route);
        Assert.Equal(GateRoute.RlOnly, gate.Decide(Outcome(1, 8)).Route);
        Assert.Equal(GateRoute.RlOnly, gate.Decide(Outcome(8, 8)).Route);
    }

    [Fact]
    public void Gate_keeps_all_correct_group_in_rl_with_zero_advantages()
    {
        var decision = new ThresholdGate(0.0, DrGrpo).Decide(Outcome(4, 4));
        Assert.Equal(GateRoute.RlOnly, decision.Route);
        Assert.All(decision.RolloutAdvantages, a => Assert.Equal(0.0, a));
    }

    [Fact]
    public void Gate_falls_back_to_rl_when_no_demonstration_exists()
    {
        var decision = new ThresholdGate(0.5, DrGrpo).Decide(Outcome(0, 4, hasExpert: false));
        Assert.Equal(GateRoute.RlOnly, decision.Route);
        Assert.Equal(4, decision.RowCount);
    }

    [Fact]
    public void Gate_sends_prompt_without_rollouts_to_its_demonstration_and_drops_it_without_one()
    {
        var gate = new ThresholdGate(0.0, DrGrpo);
        Assert.Equal(GateRoute.ExpertOnly, gate.Decide(new GroupOutcome("q", [], 0, true)).Route);
        Assert.Equal(GateRoute.Drop, gate.Decide(new GroupOutcome("q", [], 0, false)).Route);
    }

    [Fact]
    public void Off_on_gate_trains_the_demonstration_as_off_policy_row_with_its_own_reward_as_advantage()
    {
        var decision = new ThresholdGate(0.0, DrGrpo, ExpertTraining.OffPolicy).Decide(Outcome(0, 8));
        Assert.Equal((0.0, 0.0, 1.0), (decision.Alpha, decision.Beta, decision.ExpertRlWeight));
        Assert.Equal(1.0, decision.ExpertAdvantage);
        var row = Assert.Single(decision.TrainingRows());
        Assert.Equal((1.0, 1.0, 0.0), (row.Advantage, row.RlWeight, row.SftWeight));
    }

    [Fact]
    public void Mix_on_gate_trains_the_demonstration_with_both_sft_and_off_policy_terms()
    {
        var decision = new ThresholdGate(0.0, DrGrpo, ExpertTraining.SftAndOffPolicy).Decide(Outcome(0, 8));
        Assert.Equal((1.0, 1.0), (decision.Beta, decision.ExpertRlWeight));
    }

    [Fact]
    public void Accuracy_counts_rewards_at_least_the_success_threshold()
    {
        var decision = new ThresholdGate(0.0, DrGrpo, SuccessThreshold: 0.5).Decide(new("q", [0.5, 0.2], 0, true));
        Assert.Equal(0.5, decision.Accuracy);
        Assert.Equal(GateRoute.RlOnly, decision.Route);
    }
}
