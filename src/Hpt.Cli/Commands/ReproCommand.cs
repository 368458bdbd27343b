using System.CommandLine;
using System.Globalization;
using Hpt.Cli.Repro;
using Hpt.Tasks.Builtin;

namespace Hpt.Cli.Commands;

/// <summary>
/// `hpt repro base|train|eval|pick|report`: the steps of the reproduction regime that tools/repro.sh chains
/// (docs/results.md): a base model warmed up on the easy levels, training runs that start from it, evaluation on
/// fixed validation / in-distribution / out-of-distribution problems, the learning-rate choice on validation, and the
/// report with paired bootstrap intervals.
/// </summary>
public static class ReproCommand
{
    public static Command Create()
    {
        var command = new Command("repro", "The reproduction regime's steps (tools/repro.sh runs them; see docs/results.md).");
        command.Subcommands.Add(Base());
        command.Subcommands.Add(Train());
        command.Subcommands.Add(Eval());
        command.Subcommands.Add(Pick());
        command.Subcommands.Add(Report());
        return command;
    }

    private static Command Base()
    {
        var options = new TrainOptions();
        var levels = new Option<string>("--levels") { Description = "Ladder levels the warm-up sees (e.g. 1-2).", Required = true };
        var steps = new Option<int>("--steps") { Description = "Supervised warm-up steps (the base's strength).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write model.safetensors and base.json into.", Required = true };
        var command = new Command("base", "Warm a fresh tiny model up on the easy levels of the configured ladder task.") { levels, steps, output };
        options.AddTo(command);
        command.SetAction(parsed =>
        {
            var count = parsed.GetValue(steps);
            if (count < 1) throw new ArgumentException($"--steps {count}: at least 1");
            ReproBase.Build(options.Load(parsed), LevelRange.Parse(parsed.GetValue(levels)!), count, parsed.GetValue(output)!.FullName, Console.WriteLine);
            return 0;
        });
        return command;
    }

    private static Command Train()
    {
        var options = new TrainOptions();
        var baseFolder = new Option<DirectoryInfo>("--base") { Description = "A base folder from `hpt repro base`.", Required = true };
        var command = new Command("train", "`hpt train` from a given base model (written as the run's step-0 checkpoint).") { baseFolder };
        options.AddTo(command);
        command.SetAction(parsed =>
        {
            var config = options.Load(parsed);
            if (ReproRunStart.SeedBase(config, parsed.GetValue(baseFolder)!.FullName)) Console.WriteLine($"base model: {parsed.GetValue(baseFolder)!.FullName}");
            return TrainCommand.Run(config, "hpt repro train");
        });
        return command;
    }

    private static Command Eval()
    {
        var options = new TrainOptions();
        var model = new Option<string>("--model") { Description = "A base folder, a model.safetensors file or a run directory (its newest checkpoint).", Required = true };
        var split = new Option<string>("--split") { Description = "validation, id (held out, the training levels) or ood (held out, one level up).", Required = true };
        split.AcceptOnlyFromAmong([.. ReproSplit.Names]);
        var problems = new Option<int>("--problems") { Description = "Problems in the split.", DefaultValueFactory = _ => 64 };
        var samples = new Option<int>("--samples", "-n") { Description = "Samples per problem (pass@k for k up to it).", DefaultValueFactory = _ => 256 };
        var seed = new Option<int>("--eval-seed") { Description = "Seed of the split's problems (the same for every run).", DefaultValueFactory = _ => 7001 };
        var output = new Option<FileInfo>("--output", "-o") { Description = "JSON file to write.", Required = true };
        var command = new Command("eval", "Score a model on a split of the ladder task at T 0.6, top-p 0.95: per-problem correct counts.")
        {
            model, split, problems, samples, seed, output,
        };
        options.AddTo(command);
        command.SetAction(parsed =>
        {
            var n = parsed.GetValue(samples);
            var count = parsed.GetValue(problems);
            if (n < 1 || n > 1024) throw new ArgumentException($"--samples {n}: 1 to 1024");
            if (count < 1) throw new ArgumentException($"--problems {count}: at least 1");
            using var shutdown = new ShutdownSignal();
            var result = ReproEvaluation.Run(options.Load(parsed), parsed.GetValue(model)!, parsed.GetValue(split)!, count, n, parsed.GetValue(seed), shutdown.Token);
            ReproEvaluation.Write(result, parsed.GetValue(output)!.FullName);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Split}: {result.CorrectCounts.Count} problems x {n} samples, avg@{n} {result.Average:0.000}, {result.Seconds:0} s -> {parsed.GetValue(output)!.FullName}"));
            return 0;
        });
        return command;
    }

    private static Command Pick()
    {
        var candidates = new Argument<string[]>("candidates") { Description = "LABEL=EVAL_JSON of validation evaluations (one per learning rate)." };
        var command = new Command("pick", "Print the label whose validation avg@n is highest (ties: the first).") { candidates };
        command.SetAction(parsed =>
        {
            var chosen = ReproSelection.Best((parsed.GetValue(candidates) ?? []).Select(ReproSelection.ParseCandidate).ToArray());
            Console.WriteLine(chosen);
            return 0;
        });
        return command;
    }

    private static Command Report()
    {
        var root = new Option<DirectoryInfo>("--root") { Description = "The driver's output folder (plan.tsv, bases, runs, evaluations).", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Markdown to write (plots go to results/ beside it).", Required = true };
        var header = new Option<FileInfo?>("--header") { Description = "Markdown put first (the regime's description)." };
        var footer = new Option<FileInfo?>("--footer") { Description = "Markdown put last (regime A, caveats)." };
        var command = new Command("report", "Tables, paired bootstrap verdicts and curves of the reproduction regime.") { root, output, header, footer };
        command.SetAction(parsed =>
        {
            var path = ReproReport.Write(parsed.GetValue(root)!.FullName, parsed.GetValue(output)!.FullName,
                parsed.GetValue(header)?.FullName, parsed.GetValue(footer)?.FullName);
            Console.WriteLine($"written: {path}");
            return 0;
        });
        return command;
    }
}
