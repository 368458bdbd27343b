using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hpt.Tasks.Evaluation;

/// <summary>Formats benchmark results as a markdown table and as JSON.</summary>
public static class EvaluationReport
{
    /// <summary>pass@k columns shown in the table (those not above the sample count).</summary>
    private static readonly int[] TableKs = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

    public static string ToMarkdown(IReadOnlyList<BenchmarkResult> results)
    {
        var maxN = results.Count == 0 ? 1 : results.Max(r => r.Samples);
        var ks = TableKs.Where(k => k <= maxN).ToList();
        var sb = new StringBuilder();
        sb.Append("| benchmark | problems | avg@k | greedy |");
        foreach (var k in ks) sb.Append(CultureInfo.InvariantCulture, $" pass@{k} |");
        sb.Append('\n').Append("|---|---:|---:|---:|");
        foreach (var _ in ks) sb.Append("---:|");
        sb.Append('\n');
        foreach (var r in results)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {r.Benchmark} | {r.Problems} | {Percent(r.AverageAtK)} (avg@{r.Samples}) | ");
            sb.Append(r.GreedyAccuracy is { } g ? Percent(g) : "-").Append(" |");
            foreach (var k in ks) sb.Append(' ').Append(k <= r.Samples ? Percent(r.PassAtK[k - 1]) : "-").Append(" |");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static string ToJson(IReadOnlyList<BenchmarkResult> results) =>
        JsonSerializer.Serialize(results.Select(r => new
        {
            benchmark = r.Benchmark,
            problems = r.Problems,
            samples = r.Samples,
            avg_at_k = r.AverageAtK,
            greedy_accuracy = r.GreedyAccuracy,
            pass_at_k = r.PassAtK.Select((v, i) => new { k = i + 1, value = v }),
            correct_counts = r.CorrectCounts,
        }), new JsonSerializerOptions { WriteIndented = true });

    private static string Percent(double v) => (100 * v).ToString("0.0", CultureInfo.InvariantCulture);
}
