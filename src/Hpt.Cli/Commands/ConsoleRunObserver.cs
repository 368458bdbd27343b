using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;
using Hpt.Cli.Reporting;
using Hpt.Tasks.Evaluation;

namespace Hpt.Cli.Commands;

/// <summary>Renders a run: progress (live bar on a terminal, plain lines otherwise), metrics.jsonl + TensorBoard.</summary>
public sealed class ConsoleRunObserver : IRunObserver, IDisposable
{
    private readonly ProgressView _view = new("training");
    private MetricsLog? _metrics;
    private ProvenanceLog? _provenance;

    public string? RunDirectory { get; private set; }
    public BenchmarkResult? Before { get; private set; }
    public BenchmarkResult? After { get; private set; }
    public TaskDataSummary? Data { get; private set; }

    public void DataLoaded(TaskDataSummary summary) => Data = summary;

    public void Started(string runDirectory)
    {
        RunDirectory = runDirectory;
        _metrics = new MetricsLog(runDirectory);
        var settings = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllBytes(Path.Combine(runDirectory, "run.json")));
        _provenance = new ProvenanceLog(runDirectory, settings?.GetValueOrDefault("hpt.algorithm.preset") ?? "?");
    }

    public void Provenance(StepProvenance provenance) => _provenance?.Append(provenance);

    public void Message(string text) => _view.Message(text);

    public void Progress(RunProgress progress)
    {
        _metrics?.Append(progress);
        _view.Update(progress);
    }

    public void Evaluated(string label, BenchmarkResult result)
    {
        if (label == "before") Before = result; else After = result;
        _view.Message($"eval {label}: {result.Problems} held-out problems, greedy {result.GreedyAccuracy:0.000}, " +
                      $"avg@{result.Samples} {result.AverageAtK:0.000}, pass@{result.Samples} {result.PassAtK[^1]:0.000}");
    }

    public void Dispose()
    {
        _view.Dispose();
        _metrics?.Dispose();
        _provenance?.Dispose();
    }
}
