using Hpt.Cli.Reporting;
using static Hpt.Cli.Tests.Reporting.ReportingFixtures;

namespace Hpt.Cli.Tests.Reporting;

public sealed class RunReportTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["algorithm"] = "hpt",
        ["gate.gamma"] = "0 | 1",
    };

    [Fact]
    public void Report_has_results_settings_and_png_plots()
    {
        using var dir = new TempDir();

        var path = RunReport.Write(dir.Path, Run(40), Before, After, "HPT demo", Settings);

        Assert.Equal(Path.Combine(dir.Path, RunReport.FileName), path);
        var md = File.ReadAllText(path);
        Assert.StartsWith("# HPT demo\n", md);
        Assert.Contains("| avg@8 | 20.0% | 40.0% | +20.0 pp |", md);
        Assert.Contains("| algorithm | hpt |", md);
        Assert.Contains("| gate.gamma | 0 \\| 1 |", md);
        Assert.Contains("| steps | 40 (step 1 to 40) |", md);
        foreach (var name in new[] { "reward.png", "offline_data_ratio.png", "entropy.png", "response_length.png" })
        {
            Assert.Contains($"](plots/{name})", md);
            AssertPng(Path.Combine(dir.Path, RunReport.PlotsFolder, name));
        }
    }

    [Fact]
    public void Report_shows_the_count_of_training_prompts_without_a_demonstration()
    {
        using var dir = new TempDir();
        var data = new Hpt.Actors.Hosting.TaskDataSummary("gsm8k.jsonl", "gsm8k", "strict", 120, 3, 0, 100, 10, 100, 0);

        var md = File.ReadAllText(RunReport.Write(dir.Path, Run(2), null, null, "data", Settings, data));

        Assert.Contains("## Data", md);
        Assert.Contains("| training prompts without a demonstration | 100 of 100 |", md);
        Assert.Contains("| rows skipped (unreadable) | 3 of 120 |", md);
        Assert.Contains("| reward | strict |", md);
    }

    [Fact]
    public void A_single_step_still_plots()
    {
        using var dir = new TempDir();

        RunReport.Write(dir.Path, Run(1), null, After, "one step", new Dictionary<string, string>());

        AssertPng(Path.Combine(dir.Path, RunReport.PlotsFolder, "reward.png"));
    }

    [Fact]
    public void No_steps_means_no_plots_and_the_report_says_so()
    {
        using var dir = new TempDir();

        var md = File.ReadAllText(RunReport.Write(dir.Path, [], null, null, "empty", new Dictionary<string, string>()));

        Assert.Contains("No evaluation was run.", md);
        Assert.Contains("No training steps were recorded, so there are no plots.", md);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, RunReport.PlotsFolder)));
    }

    [Fact]
    public void Moving_average_trails_the_series()
    {
        Assert.Equal([1.0, 1.5, 2.5, 3.5], MetricPlots.MovingAverage([1, 2, 3, 4], window: 2));
    }

    private static void AssertPng(string file)
    {
        Assert.True(File.Exists(file), $"{file} is missing");
        var bytes = File.ReadAllBytes(file);
        Assert.Equal(PngSignature, bytes[..8]);
        // An 800x400 plot with axes, text and lines compresses to well over this; a blank image to far less.
        Assert.True(bytes.Length > 10_000, $"{file} has only {bytes.Length} bytes");
    }
}
