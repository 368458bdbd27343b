using Hpt.Actors.Settings;

namespace Hpt.Actors.Tests.Settings;

public sealed class RolloutSettingsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hpt-gen-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private RolloutSettings With(string generationConfig, params string[] overrides)
    {
        File.WriteAllText(Path.Combine(_folder, "generation_config.json"), generationConfig);
        return RolloutSettings.Create(HptConfig.Load(overrides: [$"model.path={_folder}", .. overrides]));
    }

    [Fact]
    public void Sampling_defaults_come_from_generation_config_where_the_user_set_none()
    {
        const string instruct = """{"do_sample": true, "temperature": 0.7, "top_p": 0.8, "top_k": 20, "repetition_penalty": 1.05}""";
        var s = With(instruct);
        Assert.Equal((0.7, 0.8, 20), (s.Temperature, s.TopP, s.TopK));
        Assert.Equal(["temperature", "top-p", "top-k"], s.FromGenerationConfig);
        Assert.Contains("from the model's generation_config.json", s.DescribeSampling());

        var user = With(instruct, "rollout.temperature=1.0");
        Assert.Equal((1.0, 0.8, 20), (user.Temperature, user.TopP, user.TopK));
        Assert.Equal(["top-p", "top-k"], user.FromGenerationConfig);
    }

    [Fact]
    public void A_greedy_or_missing_generation_config_leaves_plain_sampling()
    {
        var greedy = With("""{"do_sample": false, "temperature": 0.1, "max_new_tokens": 2048}""");
        Assert.Equal((1.0, 1.0, 0), (greedy.Temperature, greedy.TopP, greedy.TopK));
        Assert.Empty(greedy.FromGenerationConfig);
        var builtin = RolloutSettings.Create(HptConfig.Load());
        Assert.Equal((1.0, 1.0, 0), (builtin.Temperature, builtin.TopP, builtin.TopK));
    }

    [Fact]
    public void The_cpu_kernel_is_on_by_default_and_off_reaches_the_generator_options()
    {
        var defaults = RolloutSettings.Create(HptConfig.Load());
        Assert.True(defaults.CpuKernel);
        Assert.True(defaults.Continuous(new()).CpuKernel);
        var off = RolloutSettings.Create(HptConfig.Load(overrides: ["rollout.cpu-kernel=off"]));
        Assert.False(off.Continuous(new()).CpuKernel);
    }
}
