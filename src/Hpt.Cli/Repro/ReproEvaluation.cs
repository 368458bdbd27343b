using System.Diagnostics;
using System.Text.Json;
using Hpt.Actors.Checkpoints;
using Hpt.Actors.Hosting;
using Hpt.Actors.Settings;
using Hpt.Model.Weights;
using Hpt.Tasks.Builtin;
using Hpt.Tasks.Evaluation;
using TorchSharp;

namespace Hpt.Cli.Repro;

/// <summary>
/// Scores a model of the regime (a base folder, or a run's newest checkpoint) on one split with the paper's sampling
/// (temperature 0.6, top-p 0.95; section 3.1) and n samples per problem.
/// </summary>
public static class ReproEvaluation
{
    public const double Temperature = 0.6;
    public const double TopP = 0.95;

    /// <param name="weights">A model.safetensors file, or a run directory (its newest intact checkpoint is used).</param>
    public static ReproEvalResult Run(Akka.Configuration.Config config, string weights, string split, int problems, int samples, int evalSeed,
        CancellationToken cancel)
    {
        var run = RunSettings.Create(config);
        var taskSettings = TaskSettings.Create(config);
        var rollout = RolloutSettings.Create(config);
        var task = ReproSplit.TaskOf(taskSettings);
        var set = ReproSplit.Problems(task, split, problems, evalSeed);
        var file = WeightsFile(weights);
        var policy = PolicyFactory.Create(ModelSettings.Create(config), PromptSettings.Create(config));
        torch.set_num_threads(run.TorchThreads > 0 ? run.TorchThreads : Environment.ProcessorCount);
        using var model = policy.NewModel("cpu", run.Seed);
        PolicyWeights.Load(model, file);
        var protocol = new EvaluationProtocol(new SamplingParameters(Temperature, TopP, rollout.MaxNewTokens), samples);
        var clock = Stopwatch.StartNew();
        // About 256 sequences per generate call.
        var harness = new EvaluationHarness(ModelSampling.For(model, policy.Codec, (ulong)evalSeed + 17), batchSize: Math.Max(1, 256 / samples));
        var result = harness.EvaluateAsync($"{task.Name} {split}", set, task.Reward, protocol, cancel).GetAwaiter().GetResult();
        return new ReproEvalResult(split, file, samples, Temperature, TopP, rollout.MaxNewTokens, evalSeed,
            set.Select(p => p.Id).ToArray(), set.Select(p => LadderTask.LevelOf(p) ?? 0).ToArray(), result.CorrectCounts, clock.Elapsed.TotalSeconds);
    }

    public static void Write(ReproEvalResult result, string path) =>
        File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(result, new JsonSerializerOptions { WriteIndented = false }));

    private static string WeightsFile(string weights)
    {
        if (File.Exists(weights)) return weights;
        var inBase = Path.Combine(weights, ReproBase.WeightsFile);
        if (File.Exists(inBase) && !Directory.Exists(Path.Combine(weights, "checkpoints"))) return inBase;
        var store = new CheckpointStore(new RunDirectory(weights).Checkpoints, keep: int.MaxValue);
        var latest = store.LoadLatest() ?? throw new FileNotFoundException($"--model: {weights} is neither a weights file, a base folder nor a run with checkpoints");
        return Path.Combine(latest.Folder, ReproBase.WeightsFile);
    }
}
