using System.Text.Json;
using Hpt.Actors.Protocol;
using Hpt.Tasks.Evaluation;

namespace Hpt.Cli.Reporting;

/// <summary>What a finished run directory holds for comparisons: its settings, evaluations and step metrics.</summary>
public sealed record RunRecord(string Label, string Directory, IReadOnlyDictionary<string, string> Settings,
    BenchmarkResult Before, BenchmarkResult After, IReadOnlyList<StepMetrics> Steps)
{
    public string Seed => Settings.GetValueOrDefault("hpt.run.seed", "?");

    public static RunRecord Load(string label, string directory)
    {
        var runFile = Path.Combine(directory, "run.json");
        var before = Path.Combine(directory, "eval-before.json");
        var after = Path.Combine(directory, "eval-after.json");
        foreach (var file in new[] { runFile, before, after })
            if (!File.Exists(file)) throw new FileNotFoundException($"{file} is missing: is {directory} a finished hpt run?", file);
        return new RunRecord(label, directory,
            JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllBytes(runFile)) ?? [],
            Read(before), Read(after), MetricsLog.ReadMetrics(directory));
    }

    private static BenchmarkResult Read(string path) =>
        JsonSerializer.Deserialize<BenchmarkResult>(File.ReadAllBytes(path)) ?? throw new InvalidDataException($"{path} is empty");
}
