using System.Globalization;
using System.Text;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;
using Hpt.Tasks.Evaluation;

namespace Hpt.Cli.Reporting;

/// <summary>
/// The end-of-run report: <c>&lt;runDir&gt;/report.md</c> with the before/after results, a training summary, PNG plots
/// in <c>&lt;runDir&gt;/plots/</c> and the settings the run used. Plain markdown, so it reads in a terminal, on GitHub
/// and in an editor alike.
/// </summary>
public static class RunReport
{
    public const string FileName = "report.md";
    public const string PlotsFolder = "plots";

    /// <returns>The path of the written report.</returns>
    public static string Write(string runDir, IReadOnlyList<StepMetrics> steps, BenchmarkResult? before,
        BenchmarkResult? after, string title, IReadOnlyDictionary<string, string> settings, TaskDataSummary? data = null)
    {
        Directory.CreateDirectory(runDir);
        var plots = MetricPlots.Write(Path.Combine(runDir, PlotsFolder), steps, before, after);
        var md = new StringBuilder();
        md.Append("# ").Append(Escape(title)).Append("\n\n");

        md.Append("## Results\n\n");
        if (before is null && after is null) md.Append("No evaluation was run.\n\n");
        else md.Append(ResultsTable.ToMarkdown(before, after)).Append('\n');

        if (data is not null) md.Append("## Data\n\n").Append(DataTable(data)).Append('\n');

        md.Append("## Training\n\n");
        if (steps.Count == 0)
        {
            md.Append("No training steps were recorded, so there are no plots.\n\n");
        }
        else
        {
            md.Append(Summary(steps)).Append('\n');
            foreach (var plot in plots)
                md.Append("![").Append(plot.Caption).Append("](").Append(PlotsFolder).Append('/').Append(plot.FileName).Append(")\n\n");
        }

        md.Append("## Settings\n\n");
        if (settings.Count == 0)
        {
            md.Append("No settings were recorded.\n");
        }
        else
        {
            md.Append("| setting | value |\n|---|---|\n");
            foreach (var (key, value) in settings.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                md.Append("| ").Append(Escape(key)).Append(" | ").Append(Escape(value)).Append(" |\n");
        }

        var path = Path.Combine(runDir, FileName);
        File.WriteAllText(path, md.ToString());
        return path;
    }

    private static string Summary(IReadOnlyList<StepMetrics> steps)
    {
        // First and last tenth of the run, so one noisy step does not stand for the start or the end.
        var tenth = Math.Max(1, steps.Count / 10);
        var head = steps.Take(tenth).ToList();
        var tail = steps.TakeLast(tenth).ToList();
        var rows = new List<(string, string)>
        {
            ("steps", Invariant($"{steps.Count} (step {steps[0].Step} to {steps[^1].Step})")),
            ("samples", Invariant($"{steps.Sum(s => s.Samples):0}")),
            ("tokens", Invariant($"{steps.Sum(s => (long)s.Tokens)}")),
            ("updates skipped", Invariant($"{steps.Count(s => s.UpdateSkipped)}")),
            (Invariant($"reward mean, first {tenth} step(s) → last {tenth}"),
                $"{Mean(head, s => s.RewardMean, "0.000")} → {Mean(tail, s => s.RewardMean, "0.000")}"),
            ("offline sample ratio (expert samples / all samples), mean", Mean(steps, s => s.OfflineSampleRatio, "0.000")),
            ("offline prompt ratio (prompts with an expert row / all prompts), mean", Mean(steps, s => s.OfflinePromptRatio, "0.000")),
            (Invariant($"entropy, first {tenth} → last {tenth}"),
                $"{Mean(head, s => s.Entropy, "0.000")} → {Mean(tail, s => s.Entropy, "0.000")}"),
            (Invariant($"response length, first {tenth} → last {tenth}"),
                $"{Mean(head, s => s.ResponseLengthMean, "0.0")} → {Mean(tail, s => s.ResponseLengthMean, "0.0")}"),
            ("staleness, mean / max", $"{Mean(steps, s => s.StalenessMean, "0.00")} / {steps.Max(s => s.StalenessMax)}"),
            ("learner time", Invariant($"{steps.Sum(s => s.LearnerSeconds):0.0} s")),
        };
        var sb = new StringBuilder("| quantity | value |\n|---|---:|\n");
        foreach (var (name, value) in rows) sb.Append("| ").Append(name).Append(" | ").Append(value).Append(" |\n");
        return sb.ToString();
    }

    /// <summary>What the data came to; the prompts without a demonstration are the ones SFT cannot act on.</summary>
    private static string DataTable(TaskDataSummary d)
    {
        var rows = new List<(string, string)>
        {
            ("source", Escape(d.Source)),
            ("field mapping", Escape(d.Mapping)),
            ("reward", Escape(d.Reward)),
            ("training / held-out problems", Invariant($"{d.Train} / {d.HeldOut}")),
            ("training prompts without a demonstration", Invariant($"{d.TrainWithoutDemonstration} of {d.Train}")),
            ("rows skipped (unreadable)", Invariant($"{d.SkippedRows} of {d.Rows}")),
            ("prompts dropped as too long", Invariant($"{d.PromptsTooLong}")),
            ("demonstrations cut to the token limit", Invariant($"{d.DemonstrationsTruncated}")),
            ("demonstrations without a \\boxed{} answer (strict reward)", Invariant($"{d.DemonstrationsUnboxed}")),
        };
        var sb = new StringBuilder("| quantity | value |\n|---|---:|\n");
        foreach (var (name, value) in rows) sb.Append("| ").Append(name).Append(" | ").Append(value).Append(" |\n");
        return sb.ToString();
    }

    private static string Mean(IEnumerable<StepMetrics> steps, Func<StepMetrics, double> value, string format)
    {
        var finite = steps.Select(value).Where(double.IsFinite).ToList();
        return finite.Count == 0 ? "-" : finite.Average().ToString(format, CultureInfo.InvariantCulture);
    }

    // A pipe would end a table cell and a newline the row.
    private static string Escape(string text) => text.Replace("|", "\\|").Replace("\r", "").Replace("\n", " ");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
