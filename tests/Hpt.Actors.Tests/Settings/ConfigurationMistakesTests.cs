using Hpt.Actors.Settings;

namespace Hpt.Actors.Tests.Settings;

/// <summary>Configuration mistakes that used to be accepted without a word are errors naming the key or file.</summary>
public sealed class ConfigurationMistakesTests : IDisposable
{
    private readonly string _file = Path.Combine(Directory.CreateTempSubdirectory("hpt-config-").FullName, "run.conf");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_file)!, recursive: true);

    private SettingsException LoadFails(string text)
    {
        File.WriteAllText(_file, text);
        return Assert.Throws<SettingsException>(() => HptConfig.Load(_file));
    }

    [Fact]
    public void Key_without_the_hpt_prefix_in_a_file_is_an_error_suggesting_the_prefixed_key()
    {
        var e = LoadFails("pipeline { total-steps = 7 }");
        Assert.Contains("'pipeline.total-steps'", e.Message);
        Assert.Contains("hpt.pipeline.total-steps", e.Message);
        Assert.Contains(_file, e.Message);
    }

    [Theory]
    [InlineData("hpt.pipeline { total-steps = 7")]
    [InlineData("hpt { pipeline { total-steps = 7 }")]
    [InlineData("hpt.pipeline { total-steps = 7 }}")]
    public void Unbalanced_brace_in_a_file_is_an_error_naming_the_file(string text)
    {
        var e = LoadFails(text);
        Assert.Contains(_file, e.Message);
        Assert.Contains("brace", e.Message);
    }

    [Fact]
    public void Braces_inside_strings_and_comments_do_not_count()
    {
        File.WriteAllText(_file, "# a { comment\nhpt.run.dir = \"runs/{x\" // }}\nhpt.pipeline { total-steps = 7 }\n");
        var config = HptConfig.Load(_file);
        Assert.Equal("runs/{x", RunSettings.Create(config).Directory);
    }

    [Fact]
    public void Over_provision_beyond_one_step_of_prompts_is_refused_naming_the_key_and_turns_the_off_policy_correction_on()
    {
        var bad = Assert.Throws<SettingsException>(() =>
            PipelineSettings.Create(HptConfig.Load(null, ["pipeline.prompts-per-step=4", "rollout.over-provision=5"])));
        Assert.Contains("hpt.rollout.over-provision", bad.Message);
        Assert.Contains("0..hpt.pipeline.prompts-per-step (4)", bad.Message);

        var sync = PipelineSettings.Create(HptConfig.Load(null, ["pipeline.max-staleness=0", "rollout.over-provision=2"]));
        Assert.Equal(2, sync.OverProvision);
        Assert.Equal(1, sync.EffectiveMaxStaleness);
        Assert.True(AlgorithmSection.SamplesCanBeStale(sync), "an extra prompt carried over is one version old");
        Assert.Equal(0, PipelineSettings.Create(HptConfig.Load(null, ["pipeline.max-staleness=0"])).EffectiveMaxStaleness);
    }

    [Fact]
    public void Repeated_set_of_one_key_takes_the_last_value()
    {
        File.WriteAllText(_file, "hpt.pipeline.total-steps = 3");
        var config = HptConfig.Load(_file, ["pipeline.total-steps=5", "pipeline.total-steps=9"]);
        Assert.Equal(9, PipelineSettings.Create(config).TotalSteps);
    }

    [Fact]
    public void Run_id_defaults_to_the_run_directory_name()
    {
        var config = HptConfig.Load(null, ["run.dir=/tmp/experiments/grpo-seed-3/"]);
        Assert.Equal("grpo-seed-3", RunSettings.Create(config).Id);
        Assert.Equal("fixed", RunSettings.Create(HptConfig.Load(null, ["run.dir=/tmp/x", "run.id=fixed"])).Id);
    }

    [Fact]
    public void Run_directory_name_becomes_a_usable_run_id_or_an_error_naming_the_key()
    {
        Assert.Equal("my-run", RunSettings.Create(HptConfig.Load(null, ["run.dir=\"/tmp/my run\""])).Id);
        var e = Assert.Throws<SettingsException>(() => RunSettings.Create(HptConfig.Load(null, ["run.dir=/"])));
        Assert.Equal("hpt.run.id", e.Key);
    }
}
