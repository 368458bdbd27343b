using System.CommandLine;
using Hpt.Actors.Settings;
using Hpt.Cli.Commands;
using Hpt.Cli.Tests.Support;

namespace Hpt.Cli.Tests.FailFast;

/// <summary>
/// What a restart cannot cure is refused before any work starts (no warm-up, no evaluation, no actors): one
/// `hpt: error:` line naming the key or file, a non-zero exit code, and no run.json in the run directory, so the
/// corrected command starts cleanly.
/// </summary>
[Collection("console")]
public sealed class StartupFailureTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hpt-startup-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string RunDir => Path.Combine(_root, "run");

    private (int Code, string Error, string Output) Train(params string[] sets) => TrainIn(RunDir, sets);

    private static (int Code, string Error, string Output) TrainIn(string runDir, params string[] sets)
    {
        var args = new List<string> { "train", "--run-dir", runDir, "--set", "task.warmup-steps=0", "--set", "task.train-size=16",
            "--set", "task.eval-size=2", "--set", "pipeline.total-steps=1", "--set", "pipeline.prompts-per-step=2" };
        foreach (var s in sets) args.AddRange(["--set", s]);
        return Invoke(TrainCommand.Create(), [.. args]);
    }

    private static (int Code, string Error, string Output) Invoke(Command command, string[] args)
    {
        var root = new RootCommand("test") { command };
        var error = new StringWriter();
        var output = new StringWriter();
        var (savedError, savedOut) = (Console.Error, Console.Out);
        Console.SetError(error);
        Console.SetOut(output);
        try
        {
            return (CliRunner.Run(root, args), error.ToString(), output.ToString());
        }
        finally
        {
            Console.SetError(savedError);
            Console.SetOut(savedOut);
        }
    }

    private void AssertRefused((int Code, string Error, string Output) result, params string[] expected) =>
        AssertRefusedIn(result, RunDir, expected);

    private static void AssertRefusedIn((int Code, string Error, string Output) result, string runDir, params string[] expected)
    {
        Assert.NotEqual(0, result.Code);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("hpt: error:", lines[0]);
        foreach (var text in expected) Assert.Contains(text, lines[0]);
        Assert.DoesNotContain("warm-up", result.Output);
        Assert.DoesNotContain("eval before", result.Output);
        Assert.False(File.Exists(Path.Combine(runDir, "run.json")), "a refused start must not write run.json");
    }

    [Fact]
    public void Top_p_of_zero_is_refused_naming_the_key() =>
        AssertRefused(Train("rollout.top-p=0"), "hpt.rollout.top-p", "(0, 1]");

    [Theory]
    [InlineData("rollout.devices=[\"gpu7\"]", "hpt.rollout.devices", "gpu7")]
    [InlineData("rollout.devices=[\"cpu\", \"cuda:0\"]", "hpt.rollout.devices", "cuda:0")]
    [InlineData("learner.device=cuda:3", "hpt.learner.device", "cuda:3")]
    public void A_device_that_does_not_exist_is_refused_before_any_work(string setting, string key, string device)
    {
        if (TorchSharp.torch.cuda.is_available() && device.StartsWith("cuda", StringComparison.Ordinal)) return; // a GPU machine has it
        AssertRefused(Train(setting), key, device);
    }

    [Fact]
    public void An_empty_data_file_is_refused_naming_the_file()
    {
        var file = Path.Combine(_root, "empty.jsonl");
        File.WriteAllText(file, "");
        AssertRefused(Train($"task.name={file}"), "hpt.task.name", "empty.jsonl", "no rows");
    }

    [Fact]
    public void A_50_MB_prompt_line_is_refused_at_load_naming_the_row()
    {
        var file = Path.Combine(_root, "huge.jsonl");
        using (var writer = new StreamWriter(file))
        {
            for (var i = 0; i < 20; i++) writer.WriteLine($"{{\"prompt\": \"What is {i} + 1?\", \"answer\": \"{i + 1}\"}}");
            writer.Write("{\"prompt\": \"");
            writer.Write(new string('7', 50 * 1024 * 1024));
            writer.WriteLine("\", \"answer\": \"7\"}");
        }
        AssertRefused(Train($"task.name={file}"), "hpt.task.name", "huge.jsonl:21", "does not fit the model's context");
    }

    public static TheoryData<string, string> BadPostgres => new()
    {
        { "Password=wrong-password", "password authentication failed" },
        { "Port=5439", "Failed to connect" },
        { "Database=hpt_no_such_database", "does not exist" },
    };

    [Fact]
    public void A_run_directory_with_less_free_space_than_the_minimum_is_refused_naming_it_and_both_figures()
    {
        // A real 2 MiB file system against the default minimum (256 MiB): the kernel's own free-space figure.
        using var disk = new SmallDisk(Path.Combine(_root, "small"), 2048);
        var runDir = Path.Combine(disk.Path, "run");
        AssertRefusedIn(TrainIn(runDir), runDir, "hpt.run.dir", runDir, "MiB free", "hpt.run.min-free-space = 256.0 MiB");

        // The minimum is the user's: below what the disk has, the same directory passes.
        Hpt.Actors.Hosting.StorageCheck.Writable("hpt.run.dir", runDir, 1L << 20);
        var error = Assert.Throws<SettingsException>(() => Hpt.Actors.Hosting.StorageCheck.Writable("hpt.run.dir", runDir, 3L << 20));
        Assert.Contains("less than hpt.run.min-free-space = 3.0 MiB", error.Message);
    }

    [Fact]
    public void A_read_only_run_directory_is_refused_before_any_work_naming_it()
    {
        using var disk = new SmallDisk(Path.Combine(_root, "readonly"), 1024, readOnly: true);
        AssertRefusedIn(TrainIn(disk.Path), disk.Path, "hpt.run.dir", disk.Path, "is not writable");
    }

    [Fact]
    public void A_learner_node_whose_weights_directory_is_read_only_is_refused_naming_hpt_cluster_weights_dir()
    {
        using var disk = new SmallDisk(Path.Combine(_root, "weights"), 1024, readOnly: true);
        var result = Invoke(NodeCommand.Create(), ["node", "--roles", "learner", "--port", "0", "--run-dir", RunDir, "--weights-dir", disk.Path,
            "--set", "task.warmup-steps=0", "--set", "task.train-size=16", "--set", "task.eval-size=2", "--set", "pipeline.total-steps=1"]);
        AssertRefused(result, "hpt.cluster.weights-dir", disk.Path, "is not writable");
    }

    [Theory]
    [MemberData(nameof(BadPostgres))]
    public void Wrong_postgresql_credentials_port_or_database_fail_before_warm_up(string change, string expected)
    {
        var good = Environment.GetEnvironmentVariable("HPT_TEST_POSTGRES")
                   ?? throw new InvalidOperationException("HPT_TEST_POSTGRES is not set: run the tests with `bash tools/test.sh`");
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(good);
        var (key, value) = (change[..change.IndexOf('=')], change[(change.IndexOf('=') + 1)..]);
        builder[key] = value;
        var result = Train("persistence.store=postgresql", $"persistence.connection-string=\"{builder.ConnectionString}\"",
            "task.warmup-steps=50");
        AssertRefused(result, "hpt.persistence.connection-string", "PostgreSQL journal", expected);
        Assert.DoesNotContain("wrong-password", result.Error);
    }
}
