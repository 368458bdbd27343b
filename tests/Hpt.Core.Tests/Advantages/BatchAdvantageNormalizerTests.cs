using Hpt.Core.Advantages;
using Hpt.Core.Gating;

namespace Hpt.Core.Tests.Advantages;

public sealed class BatchAdvantageNormalizerTests
{
    [Fact]
    public void Reinforce_plus_plus_whitens_rollout_advantages_over_the_whole_batch()
    {
        var gate = new PureRlGate(new ReinforcePlusPlusAdvantage());
        var decisions = new[] { gate.Decide(new("a", [1, 0], 0, false)), gate.Decide(new("b", [1, 1], 0, false)) };
        Assert.Equal([1.0, 0.0], decisions[0].RolloutAdvantages);

        var normalized = BatchAdvantageNormalizer.Normalize(decisions);

        // Rewards 1, 0, 1, 1: mean 0.75, unbiased variance 0.25, std 0.5.
        var scale = 1 / Math.Sqrt(0.25 + 1e-8);
        Assert.Equal(0.25 * scale, normalized[0].RolloutAdvantages[0], 12);
        Assert.Equal(-0.75 * scale, normalized[0].RolloutAdvantages[1], 12);
        Assert.Equal(0.25 * scale, normalized[1].RolloutAdvantages[1], 12);
    }

    [Fact]
    public void Batch_normalisation_leaves_expert_only_decisions_alone()
    {
        var gate = new ThresholdGate(0.0, new ReinforcePlusPlusAdvantage());
        var sft = gate.Decide(new("a", [0, 0], 0, true));
        var rl = gate.Decide(new("b", [1, 0], 0, true));
        var normalized = BatchAdvantageNormalizer.Normalize([sft, rl]);
        Assert.Same(sft, normalized[0]);
        Assert.Equal(0.0, normalized[1].RolloutAdvantages.Sum(), 12);
    }
}
