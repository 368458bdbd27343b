using Hpt.Actors.Protocol;
using Hpt.Cli.Reporting;
using ScottPlot;

namespace Hpt.Cli.Repro;

/// <summary>The regime's curves: held-out pass@k per algorithm, and training curves (mean over seeds) per base.</summary>
public static class ReproPlots
{
    public static readonly (string File, string Title, Func<StepMetrics, double> Metric)[] Curves =
    [
        ("offline_ratio", "Offline ratio: expert / all samples (Fig. 6)", s => s.OfflineSampleRatio),
        ("entropy", "Mean token entropy", s => s.Entropy),
        ("response_length", "Mean response length (tokens)", s => s.ResponseLengthMean),
        ("reward", "Training reward (mean over rollouts)", s => s.RewardMean),
    ];

    public static void PassAtK(string path, string title, IEnumerable<(string Label, IReadOnlyList<ReproEvalResult> Evals)> series)
    {
        using var plot = new Plot();
        plot.Title(title);
        plot.XLabel("k (log2)");
        plot.YLabel("pass@k");
        foreach (var (label, evals) in series)
        {
            if (evals.Count == 0) continue;
            var n = evals.Min(e => e.Samples);
            var ks = Enumerable.Range(0, 64).Select(i => 1 << i).TakeWhile(k => k <= n).ToArray();
            var ys = ks.Select(k => evals.Average(e => ReproScores.PassAt(e, k).Average())).ToArray();
            var scatter = plot.Add.Scatter(ks.Select(k => Math.Log2(k)).ToArray(), ys);
            scatter.LegendText = label;
        }
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, MetricPlots.Width, MetricPlots.Height);
    }

    public static void Curve(string path, string title, Func<StepMetrics, double> metric, IEnumerable<(string Label, IReadOnlyList<ReproRun> Runs)> series)
    {
        using var plot = new Plot();
        plot.Title(title + ", seed mean");
        plot.XLabel("step");
        foreach (var (label, runs) in series)
        {
            var count = runs.Count == 0 ? 0 : runs.Min(r => r.Steps.Count);
            if (count == 0) continue;
            var mean = Enumerable.Range(0, count).Select(i => runs.Average(r => metric(r.Steps[i]))).ToArray();
            var smooth = MetricPlots.MovingAverage(mean, Math.Clamp(count / 10, 1, 25));
            var scatter = plot.Add.Scatter(Enumerable.Range(1, count).Select(i => (double)i).ToArray(), smooth);
            scatter.LegendText = label;
            scatter.MarkerSize = 0;
        }
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, MetricPlots.Width, MetricPlots.Height);
    }
}
