using Hpt.Actors.Hosting;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Tests.Hosting;

/// <summary>The protocols `hpt eval` offers: the paper's section 3.1 values, the small one, and the overrides.</summary>
public sealed class EvaluationChoiceTests
{
    [Theory]
    [InlineData("aime24", 32)]
    [InlineData("AIME25", 32)]
    [InlineData("amc", 32)]
    [InlineData("math500", 1)]
    [InlineData("minerva", 1)]
    [InlineData("olympiadbench", 1)]
    public void Paper_protocol_samples_at_temperature_0_6_top_p_0_95_with_8192_tokens_and_avg_32_on_aime_and_amc(string benchmark, int samples)
    {
        var protocol = EvaluationChoice.For("paper", benchmark);
        Assert.Equal(0.6, protocol.Sampling.Temperature);
        Assert.Equal(0.95, protocol.Sampling.TopP);
        Assert.Equal(8192, protocol.Sampling.MaxNewTokens);
        Assert.Equal(samples, protocol.Samples);
        Assert.False(protocol.IncludeGreedy);
    }

    [Fact]
    public void Small_protocol_is_greedy_plus_samples_at_temperature_one()
    {
        var protocol = EvaluationChoice.For("small", "anything");
        Assert.Equal((1.0, 1.0), (protocol.Sampling.Temperature, protocol.Sampling.TopP));
        Assert.True(protocol.IncludeGreedy);
        Assert.Equal(8, protocol.Samples);
    }

    [Fact]
    public void Overrides_replace_the_sample_count_and_budget_up_to_1024_samples()
    {
        var protocol = EvaluationChoice.For("paper", "aime24", samples: 1024, maxNewTokens: 100);
        Assert.Equal(1024, protocol.Samples);
        Assert.Equal(100, protocol.Sampling.MaxNewTokens);
        Assert.Equal(0.6, protocol.Sampling.Temperature);
        Assert.Contains("--samples", Assert.Throws<ArgumentException>(() => EvaluationChoice.For("paper", "x", samples: 1025)).Message);
        Assert.Contains("--protocol", Assert.Throws<ArgumentException>(() => EvaluationChoice.For("fast", "x")).Message);
    }

    [Theory]
    [InlineData("task.eval-protocol=paper", 0.6, 0.95, false)]
    [InlineData("task.eval-protocol=small", 1.0, 1.0, true)]
    public void Training_evaluation_follows_hpt_task_eval_protocol(string assignment, double temperature, double topP, bool greedy)
    {
        var config = HptConfig.Load(overrides: [assignment, "task.eval-samples=8", "rollout.max-new-tokens=300"]);
        var protocol = EvaluationChoice.ForTraining(TaskSettings.Create(config).EvalProtocol, 8, RolloutSettings.Create(config).MaxNewTokens);
        Assert.Equal((temperature, topP, greedy), (protocol.Sampling.Temperature, protocol.Sampling.TopP, protocol.IncludeGreedy));
        Assert.Equal((8, 300), (protocol.Samples, protocol.Sampling.MaxNewTokens));
    }

    [Fact]
    public void Training_evaluation_defaults_to_small_and_refuses_an_unknown_protocol()
    {
        Assert.Equal("small", TaskSettings.Create(HptConfig.Load()).EvalProtocol);
        var error = Assert.Throws<SettingsException>(() => TaskSettings.Create(HptConfig.Load(overrides: ["task.eval-protocol=fast"])));
        Assert.Equal("hpt.task.eval-protocol", error.Key);
    }
}
