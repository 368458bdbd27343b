using Akka.Configuration;
using Hpt.Actors.Settings;
using Hpt.Core.Configuration;
using Hpt.Core.Upge;

namespace Hpt.Actors.Tests.Settings;

/// <summary>The algorithm as a configured pipeline runs it: presets, the user's overrides, the pipeline's staleness.</summary>
public sealed class AlgorithmSectionTests
{
    private static AlgorithmConfig Algorithm(params string[] overrides) => AlgorithmSection.Create(HptConfig.Load(overrides: overrides));

    [Fact]
    public void Default_asynchronous_pipeline_turns_the_decoupled_correction_on()
    {
        // max-staleness = 1 by default: samples one version old must not be trained as if on-policy.
        var correction = AlgorithmFactory.Components(Algorithm()).BehaviourCorrection;
        Assert.NotNull(correction);
        Assert.Equal(2.0, correction.Cap);
    }

    [Theory]
    [InlineData("pipeline.max-staleness=0", false)]
    [InlineData("pipeline.max-staleness=2", true)]
    [InlineData("pipeline.stale-samples=train", true)]
    public void Auto_correction_follows_whether_a_trained_sample_can_be_stale(string staleness, bool on)
    {
        var extra = staleness.Contains("stale-samples", StringComparison.Ordinal) ? new[] { staleness, "pipeline.max-staleness=0" } : [staleness];
        Assert.Equal(on, AlgorithmFactory.Components(Algorithm(extra)).BehaviourCorrection is not null);
    }

    [Fact]
    public void An_explicit_correction_setting_wins_over_auto()
    {
        Assert.Null(AlgorithmFactory.Components(Algorithm("algorithm.off-policy-correction=off", "pipeline.max-staleness=0")).BehaviourCorrection);
        Assert.NotNull(AlgorithmFactory.Components(Algorithm("algorithm.off-policy-correction=on", "pipeline.max-staleness=0")).BehaviourCorrection);
    }

    [Theory]
    [InlineData("hpt")]
    [InlineData("reinforce")]
    [InlineData("rloo")]
    public void A_preset_with_its_own_aggregation_constant_keeps_it(string preset)
    {
        Assert.Equal(1.0, Algorithm($"algorithm.preset={preset}").AggregationConstant);
    }

    [Theory]
    [InlineData("hpt-official")]
    [InlineData("luffy")]
    [InlineData("dr-grpo")]
    public void A_preset_that_divides_by_the_response_budget_uses_max_new_tokens(string preset)
    {
        var config = Algorithm($"algorithm.preset={preset}", "rollout.max-new-tokens=40");
        Assert.Equal(40.0, config.AggregationConstant);
        Assert.Equal(40.0, ((ILossAggregation)AlgorithmFactory.Components(config).Aggregation) switch
        {
            TokenSumAggregation a => a.Constant,
            SequenceMeanTokenSumAggregation a => a.Constant,
            var other => throw new InvalidOperationException(other.Name),
        });
    }

    [Fact]
    public void The_user_s_aggregation_constant_wins_over_the_preset()
    {
        Assert.Equal(5.0, Algorithm("algorithm.preset=hpt", "algorithm.aggregation-constant=5").AggregationConstant);
        Assert.Equal(48.0, Algorithm("algorithm.preset=hpt", "algorithm.aggregation-constant=max-new-tokens").AggregationConstant);
    }

    [Theory]
    [InlineData(new[] { "algorithm.off-policy-correction=off" }, "hpt.algorithm.off-policy-correction", "hpt.pipeline.max-staleness = 1")]
    [InlineData(new[] { "algorithm.off-policy-correction=off", "pipeline.max-staleness=0", "pipeline.stale-samples=train" },
        "hpt.algorithm.off-policy-correction", "hpt.pipeline.stale-samples = train")]
    [InlineData(new[] { "algorithm.tis-cap=0" }, "hpt.algorithm.tis-cap", "hpt.pipeline.max-staleness = 1")]
    [InlineData(new[] { "algorithm.preset=sft-then-grpo", "pipeline.total-steps=50" }, "hpt.algorithm.gate.switch-step", "hpt.pipeline.total-steps = 50")]
    public void Pipeline_and_algorithm_settings_that_contradict_each_other_stop_the_run_naming_both_keys(
        string[] overrides, string key, string otherKey)
    {
        var error = Assert.Throws<SettingsException>(() => Algorithm(overrides));
        Assert.Equal(key, error.Key);
        Assert.Contains(otherKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_preset_runs_with_the_reference_pipeline_once_its_schedule_fits()
    {
        foreach (var preset in AlgorithmPresets.All.Keys)
            Algorithm($"algorithm.preset={preset}", "pipeline.total-steps=500");
    }

    [Fact]
    public void Luffy_with_eight_rollouts_gets_a_note_about_the_paper_s_seven_plus_one()
    {
        var config = HptConfig.Load(overrides: ["algorithm.preset=luffy"]);
        Assert.Contains(AlgorithmSection.Notes(config), n => n.Contains("hpt.pipeline.samples-per-prompt = 8", StringComparison.Ordinal));
        Assert.Empty(AlgorithmSection.Notes(HptConfig.Load(overrides: ["algorithm.preset=luffy", "pipeline.samples-per-prompt=7"])));
    }

    [Fact]
    public void Keys_set_next_to_the_preset_override_single_fields_with_their_own_types()
    {
        var c = AlgorithmSection.Read(HptConfig.Load(overrides:
        [
            "algorithm.preset=hpt-official", "algorithm.mask=ppo-clip", "algorithm.eps-high=0.28", "algorithm.gate.policy=threshold",
            "algorithm.gate.gamma=0.25", "algorithm.advantage=\"reinforce++\"", "algorithm.kl=k3", "algorithm.gate.switch-step=7",
        ]));
        Assert.Equal(MaskKind.PpoClip, c.Mask);
        Assert.Equal(0.28, c.EpsHigh);
        Assert.Equal(GatePolicyKind.Threshold, c.Gate.Policy);
        Assert.Equal(0.25, c.Gate.Gamma);
        Assert.Equal(AdvantageKind.ReinforcePlusPlus, c.Advantage);
        Assert.Equal(KlEstimator.K3, c.Kl);
        Assert.Equal(7, c.Gate.SwitchStep);
        Assert.Equal(0.001, c.EntropyCoef); // the preset's
    }

    public static TheoryData<string> Presets => new(AlgorithmPresets.All.Keys);

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_preset_written_out_key_by_key_in_hocon_reads_back_equal(string preset)
    {
        var config = AlgorithmPresets.Get(preset);
        // Start from another preset, so that every field must come from its key.
        var start = preset == "grpo" ? "sft" : "grpo";
        var text = $"hpt.algorithm {{\n  preset = {start}\n" +
                   string.Concat(AlgorithmSettings.Keys.Select(k => $"  {k.Name} = {k.Format(config)}\n")) + "}";
        Assert.Equal(config, AlgorithmSection.Read(ConfigurationFactory.ParseString(text).WithFallback(HptConfig.Reference)));
    }

    [Theory]
    [InlineData("algorithm.clip=0.2", "hpt.algorithm.clip", "eps-low")]
    [InlineData("algorithm.mask=clip", "hpt.algorithm.mask", "ppo-clip, dual-clip, cispo")]
    [InlineData("algorithm.eps-high=wide", "hpt.algorithm.eps-high", "wide")]
    [InlineData("algorithm.gate.max-correct=-1", "hpt.algorithm.gate.max-correct", "out of range")]
    [InlineData("algorithm.gate.switch-step=1.5", "hpt.algorithm.gate.switch-step", "1.5")]
    [InlineData("algorithm.aggregation-constant=budget", "hpt.algorithm.aggregation-constant", "budget")]
    [InlineData("algorithm.preset=dapo", "hpt.algorithm.preset", "hpt-official")]
    public void A_bad_algorithm_key_or_value_is_an_error_naming_the_key(string assignment, string key, string detail)
    {
        var error = Assert.Throws<SettingsException>(() => AlgorithmSection.Read(HptConfig.Load(overrides: [assignment])));
        Assert.Equal(key, error.Key);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_algorithm_key_is_refused_as_the_configuration_loads_on_every_node()
    {
        // A rollout node never builds the algorithm: the typo must be caught where every key is, at load.
        var error = Assert.Throws<SettingsException>(() => HptConfig.Load(overrides: ["algorithm.gate.gama=0.2"]));
        Assert.Equal("hpt.algorithm.gate.gama", error.Key);
        Assert.Contains("gate.gamma", error.Message, StringComparison.Ordinal);
        HptConfig.Load(overrides: ["algorithm.gate.gamma=0.2", "algorithm.preset=hpt"]);
    }
}
