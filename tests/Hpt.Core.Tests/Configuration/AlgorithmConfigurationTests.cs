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

    [Theory]
    [MemberData(nameof(Presets))]
    public void Every_key_carries_its_field_so_the_keys_rebuild_each_preset(string preset)
    {
        var config = AlgorithmPresets.Get(preset);
        var rebuilt = AlgorithmSettings.Apply(new AlgorithmConfig(), AlgorithmSettings.Keys.Select(k => k.Name), new ValuesOf(config));
        Assert.Equal(config, rebuilt);
    }

    [Fact]
    public void Key_names_are_unique_and_relative_to_the_section()
    {
        var names = AlgorithmSettings.Keys.Select(k => k.Name).ToArray();
        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(names, n => n.StartsWith("algorithm.", StringComparison.Ordinal) || n == AlgorithmSettings.PresetKey);
        Assert.Null(AlgorithmSettings.Find("clip"));
        Assert.Throws<KeyNotFoundException>(() => AlgorithmSettings.Apply(new AlgorithmConfig(), ["clip"], new ValuesOf(new AlgorithmConfig())));
    }

    [Fact]
    public void A_choice_key_offers_its_enum_s_configuration_names()
    {
        var mask = Assert.IsType<ChoiceKey<MaskKind>>(AlgorithmSettings.Find("mask"));
        Assert.Equal(["none", "ppo-clip", "dual-clip", "cispo"], mask.Values);
        Assert.Equal("\"reinforce++\"", AlgorithmSettings.Find("advantage")!.Format(AlgorithmPresets.Get("grpo") with { Advantage = AdvantageKind.ReinforcePlusPlus }));
        Assert.Equal(AlgorithmSettings.GenerationBudget, AlgorithmSettings.Find("aggregation-constant")!.Format(AlgorithmPresets.HptOfficial));
    }

    /// <summary>Serves each key the value <paramref name="source"/> holds, typed, as the HOCON binding would.</summary>
    private sealed class ValuesOf(AlgorithmConfig source) : IAlgorithmValues
    {
        private AlgorithmKey Key(string name) => AlgorithmSettings.Find(name) ?? throw new KeyNotFoundException(name);

        public double Number(string key) => Key(key) switch
        {
            NumberKey k => k.Get(source),
            NumberOrWordKey k => k.Get(source) ?? throw new InvalidOperationException($"{key} holds the word"),
            var other => throw new InvalidOperationException(other.Name),
        };

        public long Integer(string key, long min, long max) => ((IntegerKey)Key(key)).Get(source);

        public string Text(string key) => Key(key) is TextKey k ? k.Get(source) : Key(key).Format(source);

        public string Choice(string key, IReadOnlyList<string> values) => Key(key).Format(source).Trim('"');
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
