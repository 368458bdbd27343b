using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Hpt.Benchmarks;
using Hpt.Model.Scoring;
using static TorchSharp.torch;

namespace Hpt.Cli.Commands;

/// <summary>
/// `hpt bench memory`: peak resident memory of one training step against response length, for the recomputing scorer
/// with activation checkpointing off and on, and for the graph-keeping scorer it replaced. Every case runs in a fresh
/// child process (this command with --case), so no case's high-water mark is another's. Readable lines, then one JSON line.
/// </summary>
public static class BenchMemoryCommand
{
    public static Command Create()
    {
        var defaults = new MemoryCaseOptions();
        var dtype = new Option<string>("--dtype") { Description = "fp32 or bf16.", DefaultValueFactory = _ => defaults.DType };
        var dModel = new Option<int>("--d-model") { Description = "Model width.", DefaultValueFactory = _ => defaults.DModel };
        var layers = new Option<int>("--layers") { Description = "Decoder layers.", DefaultValueFactory = _ => defaults.Layers };
        var vocab = new Option<int>("--vocab") { Description = "Vocabulary size (Qwen's by default).", DefaultValueFactory = _ => defaults.Vocab };
        var batch = new Option<int>("--batch") { Description = "Rows per micro-batch.", DefaultValueFactory = _ => defaults.Batch };
        var lengths = new Option<int[]>("--lengths") { Description = "Response lengths for the recomputing scorer (the slope is taken between the last two).", DefaultValueFactory = _ => [512, 2048, 8192], AllowMultipleArgumentsPerToken = true };
        var keepLengths = new Option<int[]>("--keep-graph-lengths") { Description = "Response lengths for the graph-keeping scorer (it holds T x V floats: keep them small).", DefaultValueFactory = _ => [256, 512, 1024], AllowMultipleArgumentsPerToken = true };
        var caseJson = new Option<string?>("--case") { Description = "Internal: run one case in this process and print its JSON.", Hidden = true };

        var command = new Command("memory", "Peak memory of one training step against response length: chunked recomputing scorer, activation checkpointing, and the old scorer.");
        foreach (var option in new Option[] { dtype, dModel, layers, vocab, batch, lengths, keepLengths, caseJson })
            command.Options.Add(option);
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(caseJson) is { } json)
            {
                var one = JsonSerializer.Deserialize<MemoryCaseOptions>(json) ?? throw new ArgumentException("--case: empty");
                Console.WriteLine(MemoryBenchmark.RunCase(one).ToJson());
                return 0;
            }
            var model = defaults with
            {
                DType = parsed.GetValue(dtype)!, DModel = parsed.GetValue(dModel), Layers = parsed.GetValue(layers),
                Vocab = parsed.GetValue(vocab), Batch = parsed.GetValue(batch),
            };
            var plan = new List<MemoryCaseOptions>();
            foreach (var checkpointing in new[] { false, true })
                plan.AddRange(parsed.GetValue(lengths)!.Select(t => model with { ResponseTokens = t, Checkpointing = checkpointing }));
            plan.AddRange(parsed.GetValue(keepLengths)!.Select(t => model with { ResponseTokens = t, Scorer = VocabBackward.KeepGraph }));

            var loadBefore = MachineLoad.OneMinute() ?? double.NaN;
            Console.WriteLine($"model d_model {model.DModel}, {model.Layers} layers, vocab {model.Vocab}, {model.DType}, batch {model.Batch} x (prompt {model.PromptTokens} + T); torch threads {get_num_threads()}; load average {loadBefore:F2}");
            var results = new List<MemoryCaseResult>();
            foreach (var c in plan)
            {
                var r = RunChild(c);
                results.Add(r);
                Console.WriteLine($"{r.Scorer,-10} checkpointing {(r.Checkpointing ? "on " : "off")} T {r.ResponseTokens,6}: peak {r.PeakBytes / 1e6,9:F1} MB (baseline {r.BaselineBytes / 1e6:F1} MB), step {r.StepSeconds:F2} s");
            }
            var report = MemoryBenchmarkReport.Build(model, results, get_num_threads(), loadBefore, MachineLoad.OneMinute() ?? double.NaN);
            foreach (var s in report.Series)
                Console.WriteLine($"{s.Scorer,-10} checkpointing {(s.Checkpointing ? "on " : "off")}: {s.PeakBytesPerToken / 1e3:F1} KB per token (T {s.ResponseTokens[^2]}..{s.ResponseTokens[^1]}) vs activations {s.ActivationBytesPerToken / 1e3:F1} KB per token: {s.SlopeOverActivation:F2}x");
            Console.WriteLine($"step time with / without checkpointing at T {report.RatioAt}: {report.CheckpointingStepTimeRatio:F2}x");
            Console.WriteLine(report.ToJson());
            return 0;
        });
        return command;
    }

    /// <summary>Runs one case in a fresh process of this executable and parses its last output line.</summary>
    private static MemoryCaseResult RunChild(MemoryCaseOptions c)
    {
        var exe = Environment.ProcessPath ?? throw new InvalidOperationException("cannot locate this executable to start a child process");
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") info.ArgumentList.Add(typeof(BenchMemoryCommand).Assembly.Location);
        foreach (var a in new[] { "bench", "memory", "--case", JsonSerializer.Serialize(c) }) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {exe}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (process.ExitCode != 0 || last is null)
            throw new InvalidOperationException($"memory case T={c.ResponseTokens} ({MemoryBenchmark.ScorerName(c.Scorer)}, checkpointing {c.Checkpointing}) exited with {process.ExitCode}: {stderr.Result.Trim()}");
        return MemoryCaseResult.FromJson(last);
    }

}
