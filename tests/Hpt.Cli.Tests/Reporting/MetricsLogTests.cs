using Hpt.Cli.Reporting;
using static Hpt.Cli.Tests.Reporting.ReportingFixtures;

namespace Hpt.Cli.Tests.Reporting;

public sealed class MetricsLogTests
{
    [Fact]
    public void Steps_written_are_read_back_equal_in_step_order()
    {
        using var dir = new TempDir();
        var steps = Run(5);
        using (var log = new MetricsLog(dir.Path, tensorBoard: false))
            foreach (var s in steps) log.Append(s);

        var read = MetricsLog.ReadMetrics(dir.Path, warn: m => Assert.Fail(m));

        Assert.Equal(steps, read);
    }

    [Fact]
    public void Lines_are_camel_case_json_one_per_step()
    {
        using var dir = new TempDir();
        using (var log = new MetricsLog(dir.Path, tensorBoard: false))
        {
            log.Append(Step(1));
            log.Append(Step(2));
        }

        var lines = File.ReadAllLines(Path.Combine(dir.Path, MetricsLog.FileName));

        Assert.Equal(2, lines.Length);
        Assert.StartsWith("{\"step\":1,", lines[0]);
        Assert.Contains("\"rewardMean\":0.5", lines[0]);
        Assert.Contains("\"offlinePromptRatio\":0.25", lines[0]);
        Assert.Contains("\"offlineSampleRatio\":0.25", lines[0]);
    }

    [Fact]
    public void Each_line_is_on_disk_before_the_log_is_closed()
    {
        using var dir = new TempDir();
        using var log = new MetricsLog(dir.Path, tensorBoard: false);
        log.Append(Step(1));

        Assert.Single(MetricsLog.ReadMetrics(dir.Path));
    }

    [Fact]
    public void A_resumed_run_appends_and_the_last_line_for_a_step_wins()
    {
        using var dir = new TempDir();
        using (var log = new MetricsLog(dir.Path, tensorBoard: false))
            for (var i = 1; i <= 3; i++) log.Append(Step(i, reward: 0.1));
        // The resumed run restarts from the step-1 checkpoint and redoes steps 2 and 3.
        using (var log = new MetricsLog(dir.Path, tensorBoard: false))
            for (var i = 2; i <= 4; i++) log.Append(Step(i, reward: 0.9));

        var read = MetricsLog.ReadMetrics(dir.Path);

        Assert.Equal([1L, 2, 3, 4], read.Select(s => s.Step));
        Assert.Equal([0.1, 0.9, 0.9, 0.9], read.Select(s => s.RewardMean));
    }

    [Fact]
    public void A_torn_last_line_is_skipped_with_a_warning()
    {
        using var dir = new TempDir();
        using (var log = new MetricsLog(dir.Path, tensorBoard: false))
            for (var i = 1; i <= 3; i++) log.Append(Step(i));
        File.AppendAllText(Path.Combine(dir.Path, MetricsLog.FileName), "{\"step\":4,\"loss\":0.1,\"rewardM");
        var warnings = new List<string>();

        var read = MetricsLog.ReadMetrics(dir.Path, warnings.Add);

        Assert.Equal([1L, 2, 3], read.Select(s => s.Step));
        var warning = Assert.Single(warnings);
        Assert.Contains(":4:", warning);
    }

    [Fact]
    public void Appending_after_a_torn_line_starts_a_new_line()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, MetricsLog.FileName), "{\"step\":1,\"lo");
        using (var log = new MetricsLog(dir.Path, tensorBoard: false))
            log.Append(Step(1));
        var warnings = new List<string>();

        var read = MetricsLog.ReadMetrics(dir.Path, warnings.Add);

        Assert.Equal([1L], read.Select(s => s.Step));
        Assert.Single(warnings);
    }

    [Fact]
    public void NaN_metrics_survive_the_round_trip()
    {
        using var dir = new TempDir();
        using (var log = new MetricsLog(dir.Path, tensorBoard: false))
            log.Append(Step(1, entropy: double.NaN));

        Assert.True(double.IsNaN(Assert.Single(MetricsLog.ReadMetrics(dir.Path)).Entropy));
    }

    [Fact]
    public void A_run_without_a_metrics_file_reads_as_no_steps()
    {
        using var dir = new TempDir();

        Assert.Empty(MetricsLog.ReadMetrics(dir.Path));
    }

    [Fact]
    public void TensorBoard_event_file_is_written()
    {
        using var dir = new TempDir();
        using (var log = new MetricsLog(dir.Path))
        {
            log.Append(new Hpt.Actors.Protocol.RunProgress(1, 2, Step(1), ElapsedSeconds: 2));
            log.Append(new Hpt.Actors.Protocol.RunProgress(2, 2, Step(2), ElapsedSeconds: 4));
        }

        var events = Directory.GetFiles(Path.Combine(dir.Path, MetricsLog.TensorBoardFolder), "events.out.tfevents.*");

        var file = Assert.Single(events);
        // Two steps of ~22 scalars each, each record a few dozen bytes.
        Assert.True(new FileInfo(file).Length > 1000, $"event file has {new FileInfo(file).Length} bytes");
        var bytes = File.ReadAllBytes(file);
        Assert.Contains("train/reward_mean", System.Text.Encoding.ASCII.GetString(bytes));
        Assert.Contains("perf/samples_per_s", System.Text.Encoding.ASCII.GetString(bytes));
    }
}
