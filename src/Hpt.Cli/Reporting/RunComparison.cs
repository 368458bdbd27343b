using System.Globalization;
using System.Text;
using Hpt.Actors.Protocol;
using ScottPlot;

namespace Hpt.Cli.Reporting;

/// <summary>
/// Compares runs grouped by label (one label per algorithm, several seeds each): a markdown table of held-out
/// accuracy (mean and spread over seeds), pass@k, offline-data ratio early and late, entropy and response length,
/// plus PNG curves. What `hpt compare` and tools/repro.sh write.
/// </summary>
public static class RunComparison
{
    public static string Write(string outputMarkdown, IReadOnlyList<RunRecord> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("no runs to compare");
        var groups = runs.GroupBy(r => r.Label).ToArray();
        var n = runs.Min(r => r.After.Samples);
        var ks = ResultsTable.Ks(n);
        var plotsDir = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outputMarkdown))!, "plots");
        Directory.CreateDirectory(plotsDir);

        var md = new StringBuilder();
        md.AppendLine($"Held-out: {runs[0].After.Problems} problems, n = {n} samples each (temperature 1) plus one greedy answer. " +
                      "Mean ± standard deviation over seeds.");
        md.AppendLine();
        md.Append("| run | seeds | greedy | avg@").Append(n).Append(" |");
        foreach (var k in ks) md.Append($" pass@{k} |");
        md.AppendLine(" offline ratio (expert samples / all samples), first 10% / last 10% of steps | entropy, last 25% | response length, last 25% |");
        md.Append("|---|---:|---:|---:|");
        foreach (var _ in ks) md.Append("---:|");
        md.AppendLine("---:|---:|---:|");

        var baseRuns = runs.Where(r => r.Before.Samples >= n).ToArray();
        if (baseRuns.Length > 0)
        {
            md.Append($"| base model | {baseRuns.Select(r => r.Seed).Distinct().Count()} | {Stat(baseRuns.Select(r => r.Before.GreedyAccuracy ?? 0))} | " +
                      $"{Stat(baseRuns.Select(r => r.Before.AverageAtK))} |");
            foreach (var k in ks) md.Append($" {Stat(baseRuns.Select(r => r.Before.PassAtK[k - 1]))} |");
            md.AppendLine(" | | |");
        }
        foreach (var g in groups)
        {
            md.Append($"| {g.Key} | {g.Count()} | {Stat(g.Select(r => r.After.GreedyAccuracy ?? 0))} | {Stat(g.Select(r => r.After.AverageAtK))} |");
            foreach (var k in ks) md.Append($" {Stat(g.Select(r => r.After.PassAtK[k - 1]))} |");
            md.AppendLine($" {Stat(g.Select(r => Fraction(r.Steps, 0, 0.1, s => s.OfflineSampleRatio)))} / " +
                          $"{Stat(g.Select(r => Fraction(r.Steps, 0.9, 1, s => s.OfflineSampleRatio)))} | " +
                          $"{Stat(g.Select(r => Fraction(r.Steps, 0.75, 1, s => s.Entropy)), "0.000")} | " +
                          $"{Stat(g.Select(r => Fraction(r.Steps, 0.75, 1, s => s.ResponseLengthMean)), "0.0")} |");
        }

        md.AppendLine();
        Lines(Path.Combine(plotsDir, "pass_at_k.png"), "Held-out pass@k after training (mean over seeds)", "k", "pass@k",
            groups.Select(g => (g.Key, ks.Select(k => (double)k).ToArray(), ks.Select(k => g.Average(r => r.After.PassAtK[k - 1])).ToArray())),
            logX: true);
        foreach (var (file, title, metric) in new (string, string, Func<StepMetrics, double>)[]
                 {
                     ("offline_data_ratio.png", "Offline (SFT) data ratio over steps", s => s.OfflineSampleRatio),
                     ("entropy.png", "Entropy over steps", s => s.Entropy),
                     ("response_length.png", "Response length over steps", s => s.ResponseLengthMean),
                     ("reward.png", "Training reward over steps", s => s.RewardMean),
                 })
        {
            Lines(Path.Combine(plotsDir, file), title + " (mean over seeds, moving average)", "step", "",
                groups.Select(g => (g.Key, StepAxis(g), Smooth(MeanOverSeeds(g, metric)))));
            md.AppendLine($"![{title}](plots/{file})");
        }
        md.Insert(0, $"![pass@k](plots/pass_at_k.png)\n\n");
        File.WriteAllText(outputMarkdown, md.ToString());
        return outputMarkdown;
    }

    private static double Fraction(IReadOnlyList<StepMetrics> steps, double from, double to, Func<StepMetrics, double> metric)
    {
        if (steps.Count == 0) return double.NaN;
        var start = (int)Math.Floor(steps.Count * from);
        var end = Math.Max(start + 1, (int)Math.Ceiling(steps.Count * to));
        return steps.Skip(start).Take(end - start).Average(metric);
    }

    private static double[] StepAxis(IEnumerable<RunRecord> group) =>
        Enumerable.Range(1, group.Min(r => r.Steps.Count)).Select(i => (double)i).ToArray();

    private static double[] MeanOverSeeds(IEnumerable<RunRecord> group, Func<StepMetrics, double> metric)
    {
        var runs = group.ToArray();
        var count = runs.Min(r => r.Steps.Count);
        return Enumerable.Range(0, count).Select(i => runs.Average(r => metric(r.Steps[i]))).ToArray();
    }

    private static double[] Smooth(double[] values) => MetricPlots.MovingAverage(values, Math.Clamp(values.Length / 10, 1, 25));

    private static string Stat(IEnumerable<double> values, string format = "0.000")
    {
        var v = values.Where(double.IsFinite).ToArray();
        if (v.Length == 0) return "–";
        var mean = v.Average();
        if (v.Length == 1) return mean.ToString(format, CultureInfo.InvariantCulture);
        var sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return $"{mean.ToString(format, CultureInfo.InvariantCulture)} ± {sd.ToString(format, CultureInfo.InvariantCulture)}";
    }

    private static void Lines(string path, string title, string xLabel, string yLabel,
        IEnumerable<(string Label, double[] X, double[] Y)> series, bool logX = false)
    {
        using var plot = new Plot();
        plot.Title(title);
        plot.XLabel(logX ? xLabel + " (log2)" : xLabel);
        plot.YLabel(yLabel);
        foreach (var (label, x, y) in series)
        {
            var xs = logX ? x.Select(Math.Log2).ToArray() : x;
            var scatter = plot.Add.Scatter(xs, y);
            scatter.LegendText = label;
            scatter.MarkerSize = xs.Length <= 20 ? 5 : 0;
        }
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, MetricPlots.Width, MetricPlots.Height);
    }
}
