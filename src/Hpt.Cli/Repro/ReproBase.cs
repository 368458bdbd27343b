using System.Text.Json;
using Hpt.Actors.Hosting;
using Hpt.Actors.Settings;
using Hpt.Model.Weights;
using Hpt.Tasks.Builtin;
using Hpt.Training;
using TorchSharp;

namespace Hpt.Cli.Repro;

/// <summary>
/// A base model of the reproduction regime: the built-in tiny model, initialised from the run seed and warmed up by
/// supervised steps on the *low* levels of the ladder only (the paper's bases already solve part of the training set,
/// and their demonstrations are harder than what they produce). Written as BASE/model.safetensors with BASE/base.json.
/// </summary>
public static class ReproBase
{
    public const string WeightsFile = "model.safetensors";

    public static void Build(Akka.Configuration.Config config, LevelRange warmupLevels, int steps, string outputFolder, Action<string> say)
    {
        var run = RunSettings.Create(config);
        var taskSettings = TaskSettings.Create(config);
        var learner = LearnerSettings.Create(config);
        var pipeline = PipelineSettings.Create(config);
        var modelSettings = ModelSettings.Create(config);
        if (modelSettings.Path.Length > 0) throw new ArgumentException("hpt.model.path: the reproduction bases are the built-in tiny model; leave it empty");
        torch.set_num_threads(run.TorchThreads > 0 ? run.TorchThreads : Environment.ProcessorCount);

        var task = ReproSplit.TaskOf(taskSettings).At(warmupLevels);
        var problems = task.Generate(taskSettings.TrainSize, run.Seed);
        var policy = PolicyFactory.Create(modelSettings, PromptSettings.Create(config));
        using var model = policy.NewModel(learner.Device, run.Seed);
        say($"base: {model.ParameterCount() / 1e6:0.00}M parameters, {steps} supervised steps on {task.Name} levels {warmupLevels} " +
            $"({problems.Count} problems), lr {taskSettings.WarmupLearningRate}, seed {run.Seed}");
        SupervisedWarmup.Run(model, policy.Codec, problems, steps, pipeline.PromptsPerStep,
            learner.Trainer with { LearningRate = taskSettings.WarmupLearningRate }, run.Seed, say);
        Directory.CreateDirectory(outputFolder);
        PolicyWeights.Save(model, Path.Combine(outputFolder, WeightsFile));
        File.WriteAllText(Path.Combine(outputFolder, "base.json"), JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["task"] = task.Name, ["warmup_levels"] = warmupLevels.ToString(), ["warmup_steps"] = steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["seed"] = run.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["learning_rate"] = taskSettings.WarmupLearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        say($"base written: {outputFolder}");
    }
}
