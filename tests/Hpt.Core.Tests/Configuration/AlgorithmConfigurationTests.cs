using Hpt.Core.Configuration;
using Hpt.Core.Upge;

namespace Hpt.Core.Tests.Configuration;

public sealed class AlgorithmConfigurationTests
{
    public static TheoryData<string> Presets => new(AlgorithmPresets.All.Keys);

    [Fact]
    public void Preset_table_has_every_algorithm_of_the_issue()
    {
        string[] required =
        [
            "sft", "reinforce", "rloo", "grpo", "dr-grpo", "ppo-clip", "cispo", "gspo", "luffy", "srft", "hpt",
            "hpt-official", "mix-on", "off-on",
        ];
        Assert.All(required, name => Assert.True(AlgorithmPresets.All.ContainsKey(name), name));
        Assert.All(AlgorithmPresets.All, p => Assert.Equal(p.Key, p.Value.Name));
    }

    [Fact]
    public void Official_profile_reproduces_the_released_code()
    {
        var c = AlgorithmPresets.HptOfficial;
        Assert.Equal(GatePolicyKind.CorrectCount, c.Gate.Policy);
        Assert.Equal(0, c.Gate.MaxCorrect);
        Assert.Equal(AdvantageKind.DrGrpo, c.Advantage);
        Assert.Equal((DenominatorKind.Old, MaskKind.None), (c.Denominator, c.Mask));
        // The released code divides by its max response length: the preset leaves the constant to the generation budget.
        Assert.Equal((AggregationKind.TokenSum, (double?)null), (c.Aggregation, c.AggregationConstant));
        Assert.Equal(8192.0, ((TokenSumAggregation)AlgorithmFactory.Components(c).Aggregation).Constant);
        Assert.Equal(48.0, c.ForPipeline(samplesCanBeStale: true, generationBudget: 48).AggregationConstant);
        Assert.Equal((AggregationKind.TokenMean, 1.0), (c.SftAggregation, c.SftCoef));
        Assert.Equal((0.001, 1.0, 80.0), (c.EntropyCoef, c.GradClip, c.SkipGradNormAbove));
        Assert.Equal(KlEstimator.None, c.Kl);
    }

    [Fact]
    public void Settings_start_from_the_preset_and_override_single_keys()
    {
        var c = AlgorithmSettings.FromSettings(new Dictionary<string, string>
        {
            ["algorithm.preset"] = "hpt-official",
            ["algorithm.mask"] = "ppo-clip",
            ["algorithm.eps-high"] = "0.28",
            ["algorithm.gate.policy"] = "threshold",
            ["algorithm.gate.gamma"] = "0.25",
            ["algorithm.advantage"] = "reinforce++",
            ["algorithm.kl"] = "k3",
        });
        Assert.Equal(MaskKind.PpoClip, c.Mask);
        Assert.Equal(0.28, c.EpsHigh);
        Assert.Equal(GatePolicyKind.Threshold, c.Gate.Policy);
        Assert.Equal(0.25, c.Gate.Gamma);
        Assert.Equal(AdvantageKind.ReinforcePlusPlus, c.Advantage);
        Assert.Equal(KlEstimator.K3, c.Kl);
        Assert.Equal(0.001, c.EntropyCoef);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_preset_round_trips_through_its_settings(string preset)
    {
        var config = AlgorithmPresets.Get(preset);
        Assert.Equal(config, AlgorithmSettings.FromSettings(AlgorithmSettings.ToSettings(config)));
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public void Built_components_carry_the_configured_names(string preset)
    {
        var c = AlgorithmPresets.Get(preset);
        var algorithm = AlgorithmFactory.Create(c);
        var parts = algorithm.Loss.Components;
        Assert.Equal(ConfigNames.Format(c.Denominator), parts.Denominator.Name);
        Assert.Equal(ConfigNames.Format(c.OfflineDenominator), parts.OfflineDenominator.Name);
        Assert.Equal(ConfigNames.Format(c.Mask), parts.Mask.Name);
        Assert.Equal(ConfigNames.Format(c.Aggregation), parts.Aggregation.Name);
        Assert.Equal(ConfigNames.Format(c.SftAggregation), parts.SftAggregation.Name);
        Assert.Equal(ConfigNames.Format(c.Shaping), parts.OfflineShaping.Name);
        Assert.Equal(ConfigNames.Format(c.AdvantageShaping), parts.AdvantageShaping.Name);
        Assert.Equal(ConfigNames.Format(c.SftWeighting), parts.SftWeighting.Name);
        Assert.Equal(ConfigNames.Format(c.Advantage), algorithm.Advantage.Name);
        Assert.Equal(ConfigNames.Format(c.Gate.Policy), algorithm.Gate.Name);
    }

    [Fact]
    public void Unknown_key_fails_listing_the_valid_keys()
    {
        var error = Assert.Throws<FormatException>(() =>
            AlgorithmSettings.FromSettings([new("algorithm.clip", "0.2")]));
        Assert.Contains("algorithm.eps-low", error.Message);
    }

    [Fact]
    public void Unknown_value_fails_listing_the_valid_values()
    {
        var error = Assert.Throws<FormatException>(() =>
            AlgorithmSettings.FromSettings([new("algorithm.mask", "clip")]));
        Assert.Contains("ppo-clip", error.Message);
        Assert.Contains("cispo", error.Message);
    }

    [Fact]
    public void Unknown_preset_fails_listing_the_presets()
    {
        var error = Assert.Throws<FormatException>(() => AlgorithmPresets.Get("dapo"));
        Assert.Contains("hpt-official", error.Message);
    }

    [Fact]
    public void Config_names_are_kebab_case()
    {
        Assert.Equal("ppo-clip", ConfigNames.Format(MaskKind.PpoClip));
        Assert.Equal("gspo-sequence", ConfigNames.Format(DenominatorKind.GspoSequence));
        Assert.Equal("reinforce++", ConfigNames.Format(AdvantageKind.ReinforcePlusPlus));
        Assert.Equal("k3", ConfigNames.Format(KlEstimator.K3));
        Assert.Equal("sft-then-rl", ConfigNames.Format(GatePolicyKind.SftThenRl));
        Assert.Equal(AggregationKind.SeqMeanTokenSum, ConfigNames.Parse<AggregationKind>("Seq-Mean-Token-Sum", "k"));
    }
}
