using Hpt.Cli.Tests.Support;
using Akka.Actor;
using Akka.Configuration;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Persistence;
using Xunit.Abstractions;

namespace Hpt.Cli.Tests.Resume;

/// <summary>
/// The persistence promise, end to end: a training process killed with SIGKILL at random points and started again
/// with the same command ends with the same weights (bitwise) and the same effective journal as a run that was never
/// interrupted, on SQLite and on PostgreSQL.
/// </summary>
public sealed class KillAndResumeTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hpt-kill-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Store, and the gate: the default (stateless) one, and target-ratio, whose gamma and counters must resume exactly.</summary>
    public static TheoryData<string, string> Stores => new() { { "sqlite", "correct-count" }, { "postgresql", "correct-count" }, { "sqlite", "target-ratio" } };

    private static readonly TimeSpan RunLimit = TimeSpan.FromMinutes(6);

    private string[] Arguments(string store, string gate, string runDir, string runId)
    {
        var args = new List<string>
        {
            "train", "--run-dir", runDir,
            "--set", $"run.id={runId}", "--set", "run.torch-threads=1", "--set", "run.seed=11",
            "--set", "model.tiny.hidden-size=48", "--set", "model.tiny.layers=2", "--set", "model.tiny.heads=4",
            "--set", "model.tiny.kv-heads=2", "--set", "model.tiny.intermediate-size=96", "--set", "model.tiny.max-positions=96",
            "--set", "task.difficulty=easy", "--set", "task.train-size=64", "--set", "task.eval-size=4",
            // A warm-up strong enough that some groups have correct rollouts: the RL path is part of what must resume exactly.
            "--set", "task.warmup-steps=200", "--set", "task.warmup-learning-rate=5e-3",
            "--set", "pipeline.prompts-per-step=4", "--set", "pipeline.samples-per-prompt=4", "--set", "pipeline.max-staleness=0",
            "--set", "pipeline.total-steps=8", "--set", "rollout.max-new-tokens=24", "--set", "checkpoint.every-steps=2",
            // Bitwise equality needs batch-invariant sampling: continuous batching is reproducible only up to rounding.
            "--set", "rollout.batching=group",
            "--set", $"persistence.store={store}", "--set", $"algorithm.gate.policy={gate}",
        };
        if (gate == "target-ratio") args.AddRange(["--set", "algorithm.gate.gamma=0.25", "--set", "algorithm.gate.target-offline-ratio=0.2"]);
        if (store == "postgresql")
        {
            if (Environment.GetEnvironmentVariable("HPT_TEST_POSTGRES") is null)
                throw new InvalidOperationException("HPT_TEST_POSTGRES is not set: run the tests with `bash tools/test.sh`");
            args.AddRange(["--set", "persistence.connection-string=env:HPT_TEST_POSTGRES"]);
        }
        return [.. args];
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Run_killed_at_random_points_resumes_to_the_same_weights_and_journal(string store, string gate)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var referenceDir = Path.Combine(_root, "reference");
        var killedDir = Path.Combine(_root, "killed");
        var referenceId = $"ref-{suffix}";
        var killedId = $"kill-{suffix}";

        RunToCompletion(Arguments(store, gate, referenceDir, referenceId), "reference");

        var random = new Random(BitConverter.ToInt32(Guid.NewGuid().ToByteArray()));
        // Kills are triggered by the job's own progress lines (timing alone is not reliable on a loaded machine): the
        // first at a random point of the whole job (warm-up, evaluation or an early step), then at later random steps,
        // each after a random fraction of a step.
        string[] firstMarkers = ["warm-up 50/200", "warm-up 150/200", "eval before", "step 1/8", "step 2/8", "step 3/8"];
        var kills = 0;
        var lastStep = 0;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var marker = attempt == 0 ? firstMarkers[random.Next(firstMarkers.Length)] : $"step {lastStep + random.Next(1, 3)}/8";
            if (marker.StartsWith("step ", StringComparison.Ordinal))
            {
                var step = int.Parse(marker[5..marker.IndexOf('/')]);
                if (step > 7) break;
                lastStep = step;
            }
            using var child = HptProcess.Start(Arguments(store, gate, killedDir, killedId));
            if (!child.WaitForOutput(marker, RunLimit)) { output.WriteLine($"attempt {attempt}: ended before '{marker}'"); continue; }
            Thread.Sleep(random.Next(0, 300));
            if (child.HasExited) { output.WriteLine($"attempt {attempt}: ended right after '{marker}'"); continue; }
            child.Kill();
            kills++;
            output.WriteLine($"attempt {attempt}: killed at '{marker}' + a random delay; last output: {LastLine(child.Output)}");
        }
        RunToCompletion(Arguments(store, gate, killedDir, killedId), "final resume");
        Assert.True(kills >= 1, "the run was never killed: the test proved nothing");

        var referenceWeights = await File.ReadAllBytesAsync(FinalWeights(referenceDir));
        var resumedWeights = await File.ReadAllBytesAsync(FinalWeights(killedDir));
        Assert.True(referenceWeights.AsSpan().SequenceEqual(resumedWeights), "final weights differ from the uninterrupted run");

        var referenceSteps = await EffectiveJournal(store, referenceDir, referenceId);
        var resumedSteps = await EffectiveJournal(store, killedDir, killedId);
        Assert.Equal(8, referenceSteps.Count);
        Assert.Contains(referenceSteps, s => s.Metrics.OfflinePromptRatio < 1); // some prompts went to RL, not only SFT
        if (gate == "target-ratio") Assert.True(referenceSteps.Select(s => s.GateState!["gamma"]).Distinct().Count() > 1, "gamma never moved");
        Assert.Equal(referenceSteps.Select(Describe), resumedSteps.Select(Describe));
    }

    private void RunToCompletion(string[] arguments, string label)
    {
        using var child = HptProcess.Start(arguments);
        var exited = child.WaitForExit(RunLimit);
        output.WriteLine($"--- {label} ---\n{child.Output}");
        Assert.True(exited, $"{label} did not finish within {RunLimit}");
        Assert.Equal(0, child.ExitCode);
    }

    private static string FinalWeights(string runDir) => Path.Combine(runDir, "checkpoints", "step-00000008", "model.safetensors");

    /// <summary>Step, version, prompts and every non-timing metric of each effective step.</summary>
    private static async Task<IReadOnlyList<StepRecorded>> EffectiveJournal(string store, string runDir, string runId)
    {
        var settings = new PersistenceSettings
        {
            Store = store == "sqlite" ? JournalStore.Sqlite : JournalStore.PostgreSql,
            ConnectionString = store == "sqlite" ? "" : "env:HPT_TEST_POSTGRES",
        };
        using var system = ActorSystem.Create("inspect", PersistenceConfig.Build(settings, runDir)
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING")));
        try
        {
            var events = await JournalReader.ReadAsync(system, runId, TimeSpan.FromSeconds(30));
            return JournalReader.EffectiveSteps(events);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static string Describe(StepRecorded s)
    {
        var m = s.Metrics;
        return $"step {s.Step} v{s.PolicyVersion} seqs [{string.Join(",", s.Seqs)}] loss {m.Loss:R} reward {m.RewardMean:R}/{m.RewardStd:R} " +
               $"offline {m.OfflinePromptRatio:R} entropy {m.Entropy:R} len {m.ResponseLengthMean:R} grad {m.GradNorm:R} " +
               $"skipped {m.UpdateSkipped} rows {m.Rows} tokens {m.Tokens} staleness {m.StalenessMax} " +
               $"gate [{string.Join(",", (s.GateState ?? new Dictionary<string, double>()).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value:R}"))}]";
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? "(nothing)";
}
