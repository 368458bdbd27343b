using Hpt.Actors.Protocol;
using Hpt.Tasks.Evaluation;
using ScottPlot;

namespace Hpt.Cli.Reporting;

/// <summary>
/// PNG line plots of a run's metrics over the training steps (ScottPlot 5, rendered by SkiaSharp with no
/// native dependencies beyond the NuGet package).
/// </summary>
public static class MetricPlots
{
    public const int Width = 800;
    public const int Height = 400;

    /// <summary>A written plot: its file name inside the plots folder and what it shows.</summary>
    public sealed record PlotFile(string FileName, string Caption);

    /// <summary>
    /// Writes reward, offline-data ratio, entropy and response-length plots into <paramref name="plotsDir"/>.
    /// Writes nothing for an empty run. The reward plot also marks the evaluation avg@n before and after training,
    /// since the training reward is the same per-sample accuracy measured on training prompts.
    /// </summary>
    public static IReadOnlyList<PlotFile> Write(string plotsDir, IReadOnlyList<StepMetrics> steps,
        BenchmarkResult? before = null, BenchmarkResult? after = null)
    {
        if (steps.Count == 0) return [];
        Directory.CreateDirectory(plotsDir);
        var x = steps.Select(s => (double)s.Step).ToArray();
        var files = new List<PlotFile>();

        files.Add(Save(plotsDir, "reward.png", "Reward and accuracy over steps", "reward / accuracy", plot =>
        {
            var reward = Line(plot, x, steps.Select(s => s.RewardMean), "reward (mean)");
            var window = Math.Clamp(steps.Count / 10, 2, 25);
            if (steps.Count >= 5)
            {
                var average = Line(plot, x, MovingAverage(steps.Select(s => s.RewardMean).ToArray(), window),
                    $"moving average ({window} steps)");
                average.LineWidth = 3;
                reward.LineWidth = 1;
            }
            if (before is not null) Point(plot, steps[0].Step - 1, before.AverageAtK, $"eval avg@{before.Samples} before", Colors.Red);
            if (after is not null) Point(plot, steps[^1].Step, after.AverageAtK, $"eval avg@{after.Samples} after", Colors.Green);
        }));
        // The paper's Figure 6: expert samples / all trained samples (LUFFY reads 1/8).
        files.Add(Save(plotsDir, "offline_data_ratio.png", "Offline (SFT) data ratio over steps", "expert samples / all samples",
            plot => Line(plot, x, steps.Select(s => s.OfflineSampleRatio), "offline sample ratio")));
        files.Add(Save(plotsDir, "entropy.png", "Policy entropy over steps", "entropy (nats/token)",
            plot => Line(plot, x, steps.Select(s => s.Entropy), "entropy")));
        files.Add(Save(plotsDir, "response_length.png", "Response length over steps", "tokens",
            plot => Line(plot, x, steps.Select(s => s.ResponseLengthMean), "response length (mean)")));
        return files;
    }

    /// <summary>Trailing moving average; the first points average over what exists so far.</summary>
    public static double[] MovingAverage(double[] values, int window)
    {
        var result = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var from = Math.Max(0, i - window + 1);
            var finite = values[from..(i + 1)].Where(double.IsFinite).ToArray();
            result[i] = finite.Length == 0 ? double.NaN : finite.Average();
        }
        return result;
    }

    private static PlotFile Save(string dir, string fileName, string title, string yLabel, Action<Plot> draw)
    {
        using var plot = new Plot();
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel(yLabel);
        draw(plot);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(Path.Combine(dir, fileName), Width, Height);
        return new PlotFile(fileName, title);
    }

    private static ScottPlot.Plottables.Scatter Line(Plot plot, double[] x, IEnumerable<double> y, string label)
    {
        // NaN (a metric with nothing to average over) would poison the axis limits, so those points are dropped.
        var points = x.Zip(y, (px, py) => (X: px, Y: py)).Where(p => double.IsFinite(p.Y)).ToArray();
        var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
        scatter.LegendText = label;
        // Markers keep a short run (a single step, even) visible; long runs read better as a plain line.
        scatter.MarkerSize = points.Length <= 50 ? 5 : 0;
        return scatter;
    }

    private static void Point(Plot plot, double x, double y, string label, Color color)
    {
        var marker = plot.Add.Marker(x, y, MarkerShape.FilledDiamond, size: 12, color: color);
        marker.LegendText = label;
    }
}
