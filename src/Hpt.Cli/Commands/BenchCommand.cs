using System.CommandLine;
using Hpt.Benchmarks;

namespace Hpt.Cli.Commands;

/// <summary>
/// `hpt bench`: the benchmarks. Each prints readable lines, then one final line that is a JSON object of its figures.
/// `hpt bench pipeline` maps its options onto <see cref="PipelineBenchmark"/>, where the measuring lives.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: readable lines, then one JSON line of figures.");
        command.Subcommands.Add(Pipeline());
        command.Subcommands.Add(BenchModelCommand.Create());
        command.Subcommands.Add(BenchRolloutCommand.Create());
        command.Subcommands.Add(Publish());
        command.Subcommands.Add(Soak());
        command.Subcommands.Add(BenchMemoryCommand.Create());
        return command;
    }

    private static Command Soak()
    {
        var defaults = new SoakOptions();
        var steps = new Option<int>("--steps") { Description = "Training steps of the run.", DefaultValueFactory = _ => defaults.Steps };
        var early = new Option<int>("--early-step") { Description = "Step of the early measurement.", DefaultValueFactory = _ => defaults.EarlyStep };
        var snapshots = new Option<int>("--snapshot-every-steps") { Description = "hpt.persistence.snapshot-every-steps (0 = none, for comparison).", DefaultValueFactory = _ => defaults.SnapshotEverySteps };
        var prompts = new Option<int>("--prompts") { Description = "Prompts per training step (B).", DefaultValueFactory = _ => defaults.Prompts };
        var samples = new Option<int>("--samples") { Description = "Rollouts per prompt (n).", DefaultValueFactory = _ => defaults.Samples };
        var tokens = new Option<int>("--max-new-tokens") { Description = "Longest response.", DefaultValueFactory = _ => defaults.MaxNewTokens };
        var set = new Option<string[]>("--set", "-s") { Description = "Override one setting (repeatable; the options above win).", AllowMultipleArgumentsPerToken = false };
        var command = new Command("soak",
            "A long run of the real pipeline on the tiny model: journal size, RSS and resume time early and at the end.")
        {
            steps, early, snapshots, prompts, samples, tokens, set,
        };
        command.SetAction(parsed =>
        {
            var options = defaults with
            {
                Steps = parsed.GetValue(steps),
                EarlyStep = parsed.GetValue(early),
                SnapshotEverySteps = parsed.GetValue(snapshots),
                Prompts = parsed.GetValue(prompts),
                Samples = parsed.GetValue(samples),
                MaxNewTokens = parsed.GetValue(tokens),
                Overrides = parsed.GetValue(set) ?? [],
            };
            var result = SoakBenchmark.RunAsync(options, Console.Out).GetAwaiter().GetResult();
            Console.WriteLine(result.ToJson());
            return 0;
        });
        return command;
    }

    private static Command Publish()
    {
        var sizes = new Option<int[]>("--d-model") { Description = "Model widths to measure.", DefaultValueFactory = _ => [256, 512, 1024, 2048], AllowMultipleArgumentsPerToken = true };
        var layers = new Option<int>("--layers") { Description = "Decoder layers.", DefaultValueFactory = _ => 4 };
        var vocab = new Option<int>("--vocab") { Description = "Vocabulary size.", DefaultValueFactory = _ => 32_000 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats per size (median).", DefaultValueFactory = _ => 3 };
        var command = new Command("publish", "Weight-publish time against model size: in-process copy and checksummed weight files.")
        {
            sizes, layers, vocab, repeats,
        };
        command.SetAction(parsed =>
        {
            var rows = PublishBenchmark.Run(parsed.GetValue(sizes)!, parsed.GetValue(layers), parsed.GetValue(vocab), parsed.GetValue(repeats), Console.Out);
            Console.WriteLine($"growth with size (log-log slope, 1 = linear): in-process copy {PublishBenchmark.Growth(rows, r => r.CopyMs):0.00}, " +
                              $"file {PublishBenchmark.Growth(rows, r => r.FileWriteMs + r.FileLoadMs):0.00}");
            Console.WriteLine(PublishBenchmark.Json(rows));
            return 0;
        });
        return command;
    }

    private static Command Pipeline()
    {
        var defaults = new PipelineBenchmarkOptions();
        var steps = new Option<int>("--steps") { Description = "Training steps per run (the first is not timed).", DefaultValueFactory = _ => defaults.Steps };
        var prompts = new Option<int>("--prompts") { Description = "Prompts per training step (B).", DefaultValueFactory = _ => defaults.Prompts };
        var samples = new Option<int>("--samples") { Description = "Rollouts per prompt (n).", DefaultValueFactory = _ => defaults.Samples };
        var warmup = new Option<int>("--warmup") { Description = "Supervised warm-up steps of the shared base model.", DefaultValueFactory = _ => defaults.WarmupSteps };
        var repeats = new Option<int>("--repeats") { Description = "Interleaved repeats of every schedule (medians are reported).", DefaultValueFactory = _ => defaults.Repeats };
        var evalProblems = new Option<int>("--eval-problems") { Description = "Held-out problems evaluated after the sync and async runs (0 = none).", DefaultValueFactory = _ => defaults.EvalProblems };
        var evalSamples = new Option<int>("--eval-samples") { Description = "Samples per held-out problem.", DefaultValueFactory = _ => defaults.EvalSamples };
        var learningRate = new Option<double?>("--learning-rate") { Description = "Learning rate of the measured runs (default: hpt.learner.learning-rate, which the warm-up uses)." };
        var quick = new Option<bool>("--quick") { Description = "A tiny configuration that runs in seconds (smoke test; the figures mean nothing)." };
        var set = new Option<string[]>("--set", "-s")
        {
            Description = "Override one setting, e.g. --set rollout.max-new-tokens=32 (repeatable; the options above win).",
            AllowMultipleArgumentsPerToken = false,
        };

        var command = new Command("pipeline",
            "Asynchronous HPT (eta 1) against the synchronous schedule (eta 0), and the actor pipeline against a plain loop, in one run.");
        foreach (var option in new Option[] { steps, prompts, samples, warmup, repeats, evalProblems, evalSamples, learningRate, quick, set })
            command.Options.Add(option);
        command.SetAction(parsed =>
        {
            var baseline = parsed.GetValue(quick) ? PipelineBenchmarkOptions.Quick : defaults;
            int Pick(Option<int> option, int value) => parsed.GetResult(option) is { Implicit: false } ? parsed.GetValue(option) : value;
            var options = baseline with
            {
                Steps = Pick(steps, baseline.Steps),
                Prompts = Pick(prompts, baseline.Prompts),
                Samples = Pick(samples, baseline.Samples),
                WarmupSteps = Pick(warmup, baseline.WarmupSteps),
                Repeats = Pick(repeats, baseline.Repeats),
                EvalProblems = Pick(evalProblems, baseline.EvalProblems),
                EvalSamples = Pick(evalSamples, baseline.EvalSamples),
                LearningRate = parsed.GetValue(learningRate) ?? baseline.LearningRate,
                Overrides = [.. parsed.GetValue(set) ?? [], .. baseline.Overrides], // the first setting of a key wins
            };
            var result = PipelineBenchmark.RunAsync(options, Console.Out).GetAwaiter().GetResult();
            Console.WriteLine(result.ToJson());
            return 0;
        });
        return command;
    }
}
