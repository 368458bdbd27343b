using System.Text.Json;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;
using Hpt.Cli.Reporting;

namespace Hpt.Cli.Tests.Reporting;

public sealed class RunStatusViewTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hpt-status-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static PipelineReport Report(DateTime updated) => new(updated, 40, 100, 120, 1.5, 2.0, 3.0, 10.6, 0.25, 88, 90, 1, 2, 0,
        [new WorkerReport("rollout-0", 40, [new PromptInFlight(81, 2, 4.2)]), new WorkerReport("rollout-1", 39, [])], false, null);

    [Fact]
    public void Status_shows_step_pace_eta_workers_journal_and_newest_checkpoint_from_the_run_directory()
    {
        var now = new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        File.WriteAllBytes(Path.Combine(_dir, RunDirectory.StatusFileName), JsonSerializer.SerializeToUtf8Bytes(Report(now.AddSeconds(-2)), StatusFileWriter.Json));
        File.WriteAllBytes(Path.Combine(_dir, "journal.db"), new byte[4096]);
        new Hpt.Actors.Checkpoints.CheckpointStore(Path.Combine(_dir, "checkpoints"), 3).Save(40, 40, "h", f => File.WriteAllText(Path.Combine(f, "w"), "x"));

        var lines = RunStatusView.Render(RunStatusView.Read(_dir), now).ToArray();
        Assert.StartsWith("step 40/100 (policy v40), running", lines[0]);
        Assert.Contains("last step 2.0s", lines[1]);
        Assert.Contains("10.6 samples/s", lines[1]);
        Assert.Contains("ETA 3m00s", lines[1]); // 60 steps left at 3 s each
        Assert.Contains("offline ratio 0.25", lines[1]);
        Assert.Contains(lines, l => l == "worker rollout-0 (v40): prompt 81 attempt 2 for 4.2s");
        Assert.Contains(lines, l => l.StartsWith("worker rollout-1 (v39): idle", StringComparison.Ordinal));
        Assert.Contains(lines, l => l == "journal: 4 KiB (journal.db with its WAL)");
        Assert.Contains(lines, l => l.StartsWith("newest checkpoint: step-00000040", StringComparison.Ordinal));
    }

    [Fact]
    public void An_old_report_says_the_run_is_not_running_and_a_missing_one_is_a_clear_error()
    {
        var now = DateTime.UtcNow;
        File.WriteAllBytes(Path.Combine(_dir, RunDirectory.StatusFileName), JsonSerializer.SerializeToUtf8Bytes(Report(now.AddMinutes(-5)), StatusFileWriter.Json));
        Assert.Contains("not running, or stuck", RunStatusView.Render(RunStatusView.Read(_dir), now).First());
        File.Delete(Path.Combine(_dir, RunDirectory.StatusFileName));
        var e = Assert.Throws<FileNotFoundException>(() => RunStatusView.Read(_dir));
        Assert.Contains("status.json", e.Message);
    }

    [Fact]
    public void Status_from_the_cluster_also_names_every_node_with_its_roles_and_the_prompts_in_flight_on_its_workers()
    {
        var now = new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        var report = Report(now.AddSeconds(-1)) with
        {
            Workers = [new WorkerReport("127.0.0.1:4054/rollout-0", 40, [new PromptInFlight(81, 2, 4.2), new PromptInFlight(82, 1, 0.5)]),
                       new WorkerReport("127.0.0.1:4054/rollout-1", 40, [])],
        };
        var status = new ClusterStatus(report, new RunFilesReport(null, "step-00000040", now.AddMinutes(-1)),
            [new MemberReport("akka.tcp://hpt@127.0.0.1:4053", ["learner", "verifier"], "Up", true, true, true),
             new MemberReport("akka.tcp://hpt@127.0.0.1:4054", ["rollout"], "Up", true, true, false),
             new MemberReport("akka.tcp://hpt@127.0.0.1:4055", ["rollout"], "Up", false, true, false)],
            "akka.tcp://hpt@127.0.0.1:4053");

        var lines = RunStatusView.Render(RunStatusView.Snapshot.Of(status), now).ToArray();
        Assert.StartsWith("step 40/100 (policy v40), running", lines[0]);
        Assert.Contains(lines, l => l == "node akka.tcp://hpt@127.0.0.1:4053 [learner, verifier] up, hosts the learner");
        Assert.Contains(lines, l => l == "node akka.tcp://hpt@127.0.0.1:4054 [rollout] up: 2 worker(s), 2 prompt(s) in flight (rollout-0 2, rollout-1 0)");
        Assert.Contains(lines, l => l == "node akka.tcp://hpt@127.0.0.1:4055 [rollout] up, UNREACHABLE: 0 worker(s), 0 prompt(s) in flight");
        Assert.Contains(lines, l => l == "worker 127.0.0.1:4054/rollout-0 (v40): prompt 81 attempt 2 for 4.2s, prompt 82 attempt 1 for 0.5s");
        Assert.Contains(lines, l => l == "journal: not in the run directory (PostgreSQL or memory)");
        Assert.Contains(lines, l => l.StartsWith("newest checkpoint: step-00000040", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_directory_report_names_no_nodes()
    {
        var now = DateTime.UtcNow;
        File.WriteAllBytes(Path.Combine(_dir, RunDirectory.StatusFileName), JsonSerializer.SerializeToUtf8Bytes(Report(now), StatusFileWriter.Json));
        Assert.DoesNotContain(RunStatusView.Render(RunStatusView.Read(_dir), now), l => l.StartsWith("node", StringComparison.Ordinal));
    }
}
