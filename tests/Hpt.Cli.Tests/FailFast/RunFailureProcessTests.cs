using Hpt.Cli.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Hpt.Cli.Tests.FailFast;

/// <summary>
/// Failures inside a running pipeline end the process (they used to hang it): a full disk under the checkpoints or
/// the journal, and journal rows that cannot be read. Each ends with one `hpt: error:` line naming the cause and the
/// file, a non-zero exit code, well within the time the old hang took, and the last good checkpoint intact.
/// </summary>
public sealed class RunFailureProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly string _root = Directory.CreateTempSubdirectory("hpt-failfast-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string[] Arguments(string runDir, int steps, params string[] sets)
    {
        var args = new List<string>
        {
            "train", "--run-dir", runDir, "--set", "run.torch-threads=1", "--set", "model.tiny.hidden-size=48",
            "--set", "model.tiny.layers=2", "--set", "model.tiny.intermediate-size=96", "--set", "model.tiny.max-positions=96",
            "--set", "task.warmup-steps=0", "--set", "task.train-size=64", "--set", "task.eval-size=2", "--set", "task.eval-samples=1",
            "--set", "pipeline.prompts-per-step=2", "--set", "pipeline.samples-per-prompt=2", "--set", "rollout.max-new-tokens=16",
            "--set", $"pipeline.total-steps={steps}",
            // These disks are meant to fill up mid-run: the start-up free-space check (StartupFailureTests) would refuse them.
            "--set", "run.min-free-space=0",
        };
        foreach (var s in sets) args.AddRange(["--set", s]);
        return [.. args];
    }

    private string RunToExit(string[] args)
    {
        using var child = HptProcess.Start(args);
        var exited = child.WaitForExit(Limit);
        output.WriteLine(child.Output);
        Assert.True(exited, $"hpt did not exit within {Limit.TotalSeconds} s (a hang)");
        Assert.NotEqual(0, child.ExitCode);
        var errors = child.Output.Split('\n').Where(l => l.StartsWith("hpt: error:", StringComparison.Ordinal)).ToArray();
        Assert.Single(errors);
        return errors[0];
    }

    [Fact]
    public void Disk_full_while_a_checkpoint_is_written_stops_the_run_and_keeps_the_last_good_checkpoint()
    {
        // The journal lives elsewhere; the run directory (checkpoints) is on a disk with room for about two of them.
        using var disk = new SmallDisk(Path.Combine(_root, "disk"), 1200);
        var runDir = Path.Combine(disk.Path, "run");
        var error = RunToExit(Arguments(runDir, 30, "checkpoint.every-steps=1",
            $"persistence.connection-string=\"Data Source={Path.Combine(_root, "journal.db")}\""));

        // Whichever write of the run directory hits the limit first (a checkpoint, metrics.jsonl, provenance.jsonl) is named.
        Assert.Contains("No space left on device", error);
        Assert.Contains(runDir, error);
        var checkpoints = Directory.GetDirectories(Path.Combine(runDir, "checkpoints"));
        Assert.DoesNotContain(checkpoints, c => c.EndsWith(".partial", StringComparison.Ordinal));
        Assert.True(checkpoints.Length >= 1);
        foreach (var folder in checkpoints)
            Assert.Null(Hpt.Actors.Checkpoints.CheckpointStore.Verify(folder, out _));
    }

    [Fact]
    public void Disk_full_while_the_journal_is_written_stops_the_run_naming_the_journal()
    {
        using var disk = new SmallDisk(Path.Combine(_root, "disk"), 300);
        var journal = Path.Combine(disk.Path, "journal.db");
        var runDir = Path.Combine(_root, "run");
        var error = RunToExit(Arguments(runDir, 1000, "checkpoint.every-steps=5", $"persistence.connection-string=\"Data Source={journal}\""));

        Assert.Contains($"the SQLite journal {journal} cannot be written", error);
        Assert.Contains("full", error);
        foreach (var folder in Directory.GetDirectories(Path.Combine(runDir, "checkpoints")))
            Assert.Null(Hpt.Actors.Checkpoints.CheckpointStore.Verify(folder, out _));
    }

    [Theory]
    [InlineData("message", "X'7b6e6f74206a736f6e'", "invalid start of a property name")]
    [InlineData("manifest", "'hpt.prompt-issued.v9'", "unknown stored record 'hpt.prompt-issued.v9'")]
    public void A_corrupt_journal_row_stops_the_resume_at_once_naming_the_journal(string column, string value, string expected)
    {
        var runDir = Path.Combine(_root, "run");
        using (var first = HptProcess.Start(Arguments(runDir, 2)))
        {
            Assert.True(first.WaitForExit(Limit), first.Output);
            Assert.Equal(0, first.ExitCode);
        }
        var journal = Path.Combine(runDir, "journal.db");
        using (var connection = new SqliteConnection($"Data Source={journal};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE journal SET {column} = {value} WHERE ordering = 2";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var started = DateTime.UtcNow;
        var error = RunToExit(Arguments(runDir, 4));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), "the refusal must not wait for a timeout");
        Assert.Contains($"the SQLite journal {journal} cannot be read", error);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("Timeout", error);
    }
}
