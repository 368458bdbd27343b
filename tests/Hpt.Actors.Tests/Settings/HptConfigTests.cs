using Hpt.Actors.Persistence;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Tests.Settings;

public sealed class HptConfigTests
{
    [Fact]
    public void Reference_configuration_gives_every_documented_default()
    {
        var config = HptConfig.Load();
        var pipeline = PipelineSettings.Create(config);
        Assert.Equal(16, pipeline.PromptsPerStep);
        Assert.Equal(8, pipeline.SamplesPerPrompt);
        Assert.Equal(1, pipeline.MaxStaleness);
        Assert.Equal(StaleSampleHandling.Requeue, pipeline.StaleSamples);
        Assert.Equal(TimeSpan.FromSeconds(5), pipeline.VerifierTimeout);
        Assert.Equal("demo", RunSettings.Create(config).Id); // the default run directory runs/demo names it
        Assert.Equal(["cpu"], RolloutSettings.Create(config).Devices);
        Assert.Equal(1e-4, LearnerSettings.Create(config).LearningRate);
        Assert.Equal(1e-3, TaskSettings.Create(config).WarmupLearningRate);
        Assert.Equal(3, CheckpointSettings.Create(config).Keep);
        Assert.Equal(JournalStore.Sqlite, PersistenceSettings.Create(config).Store);
        Assert.Equal(128, ModelSettings.Create(config).HiddenSize);
        Assert.Equal("arithmetic", TaskSettings.Create(config).Name);
    }

    [Fact]
    public void Command_line_overrides_win_over_the_file_and_the_defaults()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "hpt.pipeline { max-staleness = 3, total-steps = 7 }");
            var config = HptConfig.Load(file, ["pipeline.max-staleness=0", "hpt.run.dir=/tmp/x y"]);
            var pipeline = PipelineSettings.Create(config);
            Assert.Equal(0, pipeline.MaxStaleness);
            Assert.Equal(7, pipeline.TotalSteps);
            Assert.Equal("/tmp/x y", RunSettings.Create(config).Directory);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Unknown_key_is_rejected_with_its_name_and_a_suggestion()
    {
        var e = Assert.Throws<SettingsException>(() => HptConfig.Load(overrides: ["pipeline.max-stalenes=2"]));
        Assert.Equal("hpt.pipeline.max-stalenes", e.Key);
        Assert.Contains("hpt.pipeline.max-staleness", e.Message);
    }

    [Theory]
    [InlineData("pipeline.prompts-per-step=0", "hpt.pipeline.prompts-per-step")]
    [InlineData("pipeline.prompts-per-step=many", "hpt.pipeline.prompts-per-step")]
    [InlineData("pipeline.stale-samples=ignore", "hpt.pipeline.stale-samples")]
    [InlineData("rollout.top-p=1.5", "hpt.rollout.top-p")]
    [InlineData("persistence.store=mongodb", "hpt.persistence.store")]
    [InlineData("model.tiny.heads=5", "hpt.model.tiny.heads")]
    public void Bad_value_is_rejected_naming_the_key(string assignment, string key)
    {
        var config = HptConfig.Load(overrides: [assignment]);
        var e = Assert.ThrowsAny<SettingsException>(() =>
        {
            PipelineSettings.Create(config);
            RolloutSettings.Create(config);
            PersistenceSettings.Create(config);
            ModelSettings.Create(config);
        });
        Assert.Equal(key, e.Key);
    }

    [Fact]
    public void Activation_checkpointing_is_off_by_default_takes_on_and_rejects_other_words_naming_the_key()
    {
        Assert.False(LearnerSettings.Create(HptConfig.Load()).ActivationCheckpointing);
        Assert.True(LearnerSettings.Create(HptConfig.Load(overrides: ["learner.activation-checkpointing=on"])).ActivationCheckpointing);
        var e = Assert.ThrowsAny<SettingsException>(() =>
            LearnerSettings.Create(HptConfig.Load(overrides: ["learner.activation-checkpointing=sometimes"])));
        Assert.Equal("hpt.learner.activation-checkpointing", e.Key);
    }

    [Fact]
    public void Missing_configuration_file_is_a_clear_error() =>
        Assert.Throws<FileNotFoundException>(() => HptConfig.Load("/nonexistent/hpt.conf"));

    [Fact]
    public void Postgresql_connection_string_can_come_from_the_environment()
    {
        Environment.SetEnvironmentVariable("HPT_TEST_CS_VAR", "Host=db;Database=x");
        var settings = PersistenceSettings.Default with { Store = JournalStore.PostgreSql, ConnectionString = "env:HPT_TEST_CS_VAR" };
        Assert.Equal("Host=db;Database=x", settings.ResolveConnectionString("/tmp"));
        var missing = settings with { ConnectionString = "env:HPT_TEST_CS_VAR_UNSET" };
        Assert.Throws<SettingsException>(() => missing.ResolveConnectionString("/tmp"));
    }
}
