using Hpt.Core.Advantages;
using Hpt.Core.Configuration;
using Hpt.Core.Gating;
using Hpt.Training.Engines;
using Hpt.Training.Stages;

namespace Hpt.Training.Tests.Stages;

public sealed class BatchAdvantageWhiteningTests
{
    private static Rollout Sample() => new("x", [1], [2, 3], [-0.5f, -0.5f], [0, 0], false);

    [Fact]
    public void Whitening_spans_every_prompt_of_the_step_and_leaves_expert_rows_alone()
    {
        var gate = new ThresholdGate(0.0, new ReinforcePlusPlusAdvantage());
        var outcomes = new GroupOutcome[] { new("a", [1, 0], 0, true), new("b", [1, 1], 0, true), new("c", [0, 0], 0, true) };
        var decisions = outcomes.Select(gate.Decide).ToArray();
        var batch = decisions.Select((d, i) => new StepPrompt(i, $"p{i}", d.TrainingRows()
            .Select(r => r.IsExpert ? new TrainRow(null, "demo", r.Advantage, r.RlWeight, r.SftWeight)
                : new TrainRow(Sample(), null, r.Advantage, r.RlWeight, r.SftWeight)).ToArray())).ToArray();

        var whitened = new BatchAdvantageWhitening().Apply(batch);

        var expected = BatchAdvantageNormalizer.Normalize(decisions);
        for (var p = 0; p < batch.Length; p++)
        {
            var rollouts = whitened[p].Rows.Where(r => !r.IsExpert).Select(r => r.Advantage).ToArray();
            Assert.Equal(expected[p].RolloutAdvantages, rollouts);
            Assert.Equal(batch[p].Rows.Where(r => r.IsExpert), whitened[p].Rows.Where(r => r.IsExpert));
        }
    }

    [Theory]
    [InlineData("ppo-clip", true)]
    [InlineData("grpo", false)]
    [InlineData("hpt-official", false)]
    public void An_algorithm_gets_the_step_stages_its_advantage_declares(string preset, bool whitens)
    {
        var stages = StepStages.For(AlgorithmFactory.Create(AlgorithmPresets.Get(preset)));
        Assert.Equal(whitens, stages.OfType<BatchAdvantageWhitening>().Any());
    }
}
