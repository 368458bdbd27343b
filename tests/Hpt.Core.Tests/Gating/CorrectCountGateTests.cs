using Hpt.Core.Advantages;
using Hpt.Core.Gating;

namespace Hpt.Core.Tests.Gating;

public sealed class CorrectCountGateTests
{
    private static GroupOutcome Outcome(params double[] rewards) => new("q", rewards, 1, true);

    [Fact]
    public void Official_gate_sends_prompt_to_sft_when_correct_count_at_max_correct()
    {
        var decision = new CorrectCountGate(2, new DrGrpoAdvantage()).Decide(Outcome(1, 1, 0, 0, 0, 0, 0, 0));
        Assert.Equal(GateRoute.ExpertOnly, decision.Route);
        Assert.Equal(0.25, decision.Gamma);
        Assert.Equal(0.25, decision.Accuracy);
    }

    [Fact]
    public void Official_gate_keeps_rollouts_when_correct_count_above_max_correct()
    {
        var decision = new CorrectCountGate(2, new DrGrpoAdvantage()).Decide(Outcome(1, 1, 1, 0, 0, 0, 0, 0));
        Assert.Equal(GateRoute.RlOnly, decision.Route);
        Assert.Equal(8, decision.RowCount);
    }

    [Fact]
    public void Official_qwen_gate_counts_only_rewards_of_one_as_correct()
    {
        var gate = new CorrectCountGate(0, new DrGrpoAdvantage());
        Assert.Equal(GateRoute.ExpertOnly, gate.Decide(Outcome(0.9, 0, 0)).Route);
        Assert.Equal(GateRoute.RlOnly, gate.Decide(Outcome(1, 0, 0)).Route);
    }
}
