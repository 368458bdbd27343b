using Hpt.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Hpt.Cli.Tests.FailFast;

/// <summary>
/// A resume that would mix two runs is refused with one error line naming what differs (all were accepted without a
/// word before): a data file whose rows changed, another run id, a journal that is gone while checkpoints remain, a
/// checkpoint copied in from another run.
/// </summary>
public sealed class ResumeRefusalTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    private readonly string _root = Directory.CreateTempSubdirectory("hpt-resume-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string DataFile => Path.Combine(_root, "sums.jsonl");

    private void WriteData(int rows) =>
        File.WriteAllLines(DataFile, Enumerable.Range(0, rows).Select(i => $"{{\"prompt\": \"{i}+1=\", \"answer\": \"{i + 1}\"}}"));

    private string[] Arguments(string runDir, int steps, params string[] sets)
    {
        var args = new List<string>
        {
            "train", "--run-dir", runDir, "--set", "run.torch-threads=1", "--set", "model.tiny.hidden-size=32",
            "--set", "model.tiny.layers=1", "--set", "model.tiny.intermediate-size=64", "--set", "model.tiny.max-positions=64",
            "--set", "task.warmup-steps=0", "--set", $"task.name={DataFile}", "--set", "task.eval-size=2", "--set", "task.eval-samples=1",
            "--set", "pipeline.prompts-per-step=2", "--set", "pipeline.samples-per-prompt=2", "--set", "rollout.max-new-tokens=8",
            "--set", "checkpoint.every-steps=1", "--set", $"pipeline.total-steps={steps}",
        };
        foreach (var s in sets) args.AddRange(["--set", s]);
        return [.. args];
    }

    private (int Code, string Output) Run(string[] args)
    {
        using var child = HptProcess.Start(args);
        var exited = child.WaitForExit(Limit);
        output.WriteLine(child.Output);
        Assert.True(exited, "hpt did not exit");
        return (child.ExitCode, child.Output);
    }

    private string Refused(string[] args)
    {
        var (code, text) = Run(args);
        Assert.NotEqual(0, code);
        var errors = text.Split('\n').Where(l => l.StartsWith("hpt: error:", StringComparison.Ordinal)).ToArray();
        return Assert.Single(errors);
    }

    private string TrainTwoSteps(string name)
    {
        var dir = Path.Combine(_root, name);
        Assert.Equal(0, Run(Arguments(dir, 2)).Code);
        return dir;
    }

    [Fact]
    public void Resume_with_a_changed_data_file_is_refused_naming_its_fingerprint()
    {
        WriteData(40);
        var dir = TrainTwoSteps("run");
        WriteData(41);
        var error = Refused(Arguments(dir, 4));
        Assert.Contains("hpt.task.data-file", error);
        Assert.Contains("sha256", error);
    }

    [Fact]
    public void Resume_under_another_run_id_is_refused()
    {
        WriteData(40);
        var dir = TrainTwoSteps("run");
        var error = Refused(Arguments(dir, 4, "run.id=other"));
        Assert.Contains("hpt.run.id", error);
        Assert.Contains("'run' -> 'other'", error);
    }

    [Fact]
    public void A_deleted_journal_with_checkpoints_present_is_refused_unless_allowed()
    {
        WriteData(40);
        var dir = TrainTwoSteps("run");
        foreach (var file in Directory.GetFiles(dir, "journal.db*")) File.Delete(file);
        var error = Refused(Arguments(dir, 4));
        Assert.Contains("has checkpoints up to step 2 but the journal", error);
        Assert.Contains("hpt.run.allow-empty-journal", error);

        Assert.Equal(0, Run(Arguments(dir, 4, "run.allow-empty-journal=true")).Code);
    }

    [Fact]
    public void A_checkpoint_copied_from_another_run_is_refused()
    {
        WriteData(40);
        var mine = TrainTwoSteps("mine");
        var theirs = TrainTwoSteps("theirs");
        var target = Path.Combine(mine, "checkpoints", "step-00000002");
        Directory.Delete(target, recursive: true);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Path.Combine(theirs, "checkpoints", "step-00000002")))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));

        var error = Refused(Arguments(mine, 4));
        Assert.Contains("belongs to run 'theirs'", error);
        Assert.Contains("hpt.run.id", error);
    }
}
