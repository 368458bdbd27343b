using Hpt.Actors.Checkpoints;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Model;
using Hpt.Model.Weights;
using Hpt.Tasks.Evaluation;

namespace Hpt.Actors.Tests.Hosting;

/// <summary>
/// The run's starting point (checkpoint step 0, the model "eval before" measures): the demo's tiny model gets its
/// supervised warm-up; a user's pretrained model (hpt.model.path) is taken as it is unless a warm-up is asked for.
/// </summary>
public sealed class BaseModelTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hpt-base-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class Messages : IRunObserver
    {
        public List<string> Lines { get; } = [];
        public void Started(string runDirectory) { }
        public void Message(string text) => Lines.Add(text);
        public void Progress(RunProgress progress) { }
        public void Evaluated(string label, BenchmarkResult result) { }
    }

    [Theory]
    [InlineData("", null, TaskSettings.DemoWarmupSteps)]
    [InlineData("/models/qwen", null, 0)]
    [InlineData("/models/qwen", "25", 25)]
    [InlineData("", "0", 0)]
    public void Warmup_is_off_with_a_model_path_unless_asked_for(string modelPath, string? warmup, int expected)
    {
        string[] overrides = warmup is null ? [$"model.path=\"{modelPath}\""] : [$"model.path=\"{modelPath}\"", $"task.warmup-steps={warmup}"];
        Assert.Equal(expected, TaskSettings.Create(HptConfig.Load(overrides: overrides)).WarmupSteps);
    }

    [Fact]
    public void Warmup_steps_with_a_bad_value_names_the_key()
    {
        var e = Assert.Throws<SettingsException>(() => TaskSettings.Create(HptConfig.Load(overrides: ["task.warmup-steps=some"])));
        Assert.Equal("hpt.task.warmup-steps", e.Key);
    }

    private static string QwenTokenizerJson()
    {
        var path = Path.Combine(RepoPaths.QwenModels, "tokenizer.json");
        return File.Exists(path) ? path : throw new FileNotFoundException("the Qwen tokenizer of tools/node (tools/setup.sh installs it) was not found", path);
    }

    [Fact]
    public void With_a_model_path_checkpoint_zero_is_the_users_model_unchanged()
    {
        var folder = Path.Combine(_dir, "model");
        var config = ModelConfig.Tiny(151_936, hiddenSize: 16, layers: 1, heads: 2, kvHeads: 1, maxPositions: 128)
            with { BosTokenId = 151_643, EosTokenIds = [151_643] };
        using (var pretrained = CausalLM.Create(config, new ModelOptions("cpu", "fp32"), seed: 5)) pretrained.SavePretrained(folder);
        File.Copy(QwenTokenizerJson(), Path.Combine(folder, "tokenizer.json"));
        var data = Path.Combine(_dir, "math.jsonl");
        File.WriteAllLines(data, Enumerable.Range(1, 20).Select(i =>
            $$"""{"problem": "What is {{i}}+{{i}}?", "answer": "{{2 * i}}", "solution": "\\boxed{{{2 * i}}}"}"""));

        var hocon = HptConfig.Load(overrides: [$"model.path=\"{folder}\"", $"task.name=\"{data}\"", "pipeline.prompts-per-step=2"]);
        var taskSettings = TaskSettings.Create(hocon);
        var policy = PolicyFactory.Create(ModelSettings.Create(hocon));
        var task = TrainingTask.Create(taskSettings, 1, policy.Codec);
        var store = new CheckpointStore(Path.Combine(_dir, "checkpoints"), keep: 3);
        var observer = new Messages();
        RunAssembly.EnsureBaseModel(new RunContext(RunConfiguration.From(hocon), new RunDirectory(_dir), task, policy, store, observer));

        var checkpoint = store.LoadLatest(0) ?? throw new InvalidOperationException("no checkpoint 0");
        using var fromFolder = policy.NewModel("cpu", 0);
        using var fromCheckpoint = policy.NewModel("cpu", 0);
        PolicyWeights.Load(fromCheckpoint, checkpoint.PathOf("model.safetensors"));
        Assert.Equal(PolicyWeights.ToBytes(fromFolder), PolicyWeights.ToBytes(fromCheckpoint));
        Assert.Contains(observer.Lines, l => l.Contains("no supervised warm-up") && l.Contains(folder));
    }
}
