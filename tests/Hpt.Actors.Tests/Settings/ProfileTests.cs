using Hpt.Actors.Settings;
using Hpt.Core.Configuration;

namespace Hpt.Actors.Tests.Settings;

/// <summary>
/// hocon/profiles/*.conf: each loads through the real loader (unknown keys are refused) and every settings class
/// binds it; the values that define a paper run match the paper and its official scripts.
/// </summary>
public sealed class ProfileTests
{
    private static string ProfilesFolder() => RepoPaths.Under("hocon", "profiles");

    private static string[] ProfileNames() => Directory.GetFiles(ProfilesFolder(), "*.conf").Select(Path.GetFileName).OfType<string>().Order().ToArray();

    public static TheoryData<string> Profiles() => new(ProfileNames());

    private sealed record Loaded(AlgorithmConfig Algorithm, LearnerSettings Learner, PipelineSettings Pipeline, RolloutSettings Rollout,
        TaskSettings Task, ModelSettings Model);

    private static Loaded Load(string name)
    {
        var config = HptConfig.Load(Path.Combine(ProfilesFolder(), name));
        RunSettings.Create(config);
        CheckpointSettings.Create(config);
        return new Loaded(AlgorithmSection.Create(config), LearnerSettings.Create(config), PipelineSettings.Create(config),
            RolloutSettings.Create(config), TaskSettings.Create(config), ModelSettings.Create(config));
    }

    [Fact]
    public void There_is_a_profile_for_each_model_size_the_paper_trains()
    {
        var names = ProfileNames();
        Assert.Contains("qwen2.5-math-1.5b.conf", names);
        Assert.Contains("qwen2.5-math-7b.conf", names);
        Assert.Contains("llama-3.1-8b.conf", names);
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Every_profile_loads_and_carries_the_shared_paper_settings(string name)
    {
        var p = Load(name);
        Assert.Equal(5e-6, p.Learner.LearningRate);
        Assert.Equal(2, p.Learner.MiniBatches);
        Assert.Equal(32768, p.Learner.MicroBatchTokens);
        Assert.Equal(128, p.Pipeline.PromptsPerStep);
        Assert.Equal(8, p.Pipeline.SamplesPerPrompt);
        Assert.Equal(500, p.Pipeline.TotalSteps);
        Assert.Equal(0, p.Pipeline.MaxStaleness);
        Assert.Equal(8192, p.Rollout.MaxNewTokens);
        Assert.Equal((1.0, 1.0, 0), (p.Rollout.Temperature, p.Rollout.TopP, p.Rollout.TopK));
        Assert.Equal(0.001, p.Algorithm.EntropyCoef);
        Assert.Equal(1.0, p.Algorithm.GradClip);
        Assert.Equal(8192, p.Algorithm.AggregationConstant);
        Assert.Equal(GatePolicyKind.CorrectCount, p.Algorithm.Gate.Policy);
        Assert.Equal(8192, p.Task.Data.MaxDemonstrationTokens);
        Assert.Equal(1024, p.Task.Data.MaxPromptTokens);
        Assert.Equal(8, p.Task.EvalSamples);
        Assert.Equal("paper", p.Task.EvalProtocol);
    }

    [Theory]
    [InlineData("qwen2.5-math-7b.conf", 0, 1.0, 80.0)]
    [InlineData("qwen2.5-math-1.5b.conf", 0, 0.3, 80.0)]
    [InlineData("llama-3.1-8b.conf", 2, 1.0, 0.0)]
    public void Each_profile_has_its_model_sizes_gate_sft_weight_and_skip_rule(string name, int maxCorrect, double sftCoef, double skipAbove)
    {
        var p = Load(name);
        Assert.Equal(maxCorrect, p.Algorithm.Gate.MaxCorrect);
        Assert.Equal(sftCoef, p.Algorithm.SftCoef);
        Assert.Equal(skipAbove, p.Algorithm.SkipGradNormAbove);
    }
}
