using Hpt.Cli.Tests.Support;
using System.Diagnostics;
using Akka.Actor;
using Hpt.Actors.Persistence;
using Xunit.Abstractions;

namespace Hpt.Cli.Tests.Cluster;

/// <summary>
/// The cluster promise with real processes: a learner and two rollout nodes (`hpt node`) on loopback train the tiny
/// model; one rollout process is killed with SIGKILL mid-run; the run completes and its journal shows every prompt
/// of the run trained exactly once. And a learner failover: the active learner process is killed, the standby learner
/// process takes the singleton over from the shared PostgreSQL journal and the newest checkpoint, and every node sees the
/// run complete.
/// </summary>
public sealed class ClusterProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int Steps = 6;
    // The failover run is longer: a 6-step run can end on the active learner in the time between its "step 3" line
    // and the kill (the output is read asynchronously), and then there is no failover to test.
    private const int FailoverSteps = 20;
    private const int PromptsPerStep = 4;
    private readonly string _root = Directory.CreateTempSubdirectory("hpt-cluster-").FullName;
    private readonly List<HptProcess> _nodes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            output.WriteLine($"--- {node.Name} ---\n{node.Output}");
            node.Dispose();
        }
        Directory.Delete(_root, recursive: true);
    }

    private void Log(string text) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0}s {text}");

    private HptProcess Start(string name, params string[] arguments) => Start(name, Steps, arguments);

    private HptProcess Start(string name, int steps, string[] arguments)
    {
        string[] common =
        [
            "node", "--weights-dir", Path.Combine(_root, "weights"),
            "--set", "run.torch-threads=1", "--set", "run.seed=5",
            "--set", "model.tiny.hidden-size=48", "--set", "model.tiny.layers=2", "--set", "model.tiny.heads=4",
            "--set", "model.tiny.kv-heads=2", "--set", "model.tiny.intermediate-size=96", "--set", "model.tiny.max-positions=96",
            "--set", "task.difficulty=easy", "--set", "task.train-size=64", "--set", "task.eval-size=4", "--set", "task.warmup-steps=2",
            "--set", $"pipeline.prompts-per-step={PromptsPerStep}", "--set", "pipeline.samples-per-prompt=4",
            "--set", $"pipeline.total-steps={steps}", "--set", "rollout.max-new-tokens=24",
            "--set", "cluster.stable-after=3s", "--set", "cluster.acceptable-heartbeat-pause=4s",
        ];
        var node = HptProcess.Start(name, [.. common, .. arguments]);
        _nodes.Add(node);
        Log($"started {name}");
        return node;
    }


    [Fact]
    public async Task Three_processes_train_every_prompt_exactly_once_when_a_rollout_process_is_killed()
    {
        using (var help = HptProcess.Start("help", ["--help"]))
        {
            Assert.True(help.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(help.Output, @"^\s+node\s", System.Text.RegularExpressions.RegexOptions.Multiline),
                "`hpt node` is not registered: add `root.Subcommands.Add(NodeCommand.Create());` to src/Hpt.Cli/Program.cs");
        }

        var runDir = Path.Combine(_root, "run");
        var port = NodeProcesses.FreePort();
        var seed = $"akka.tcp://hpt@127.0.0.1:{port}";
        var learner = Start("learner", "--roles", "learner", "--port", port.ToString(), "--run-dir", runDir);
        Assert.True(learner.WaitForOutput("joined the cluster", TimeSpan.FromSeconds(90)), "the learner did not start");
        var survivor = Start("rollout-1", "--roles", "rollout", "--seed-nodes", seed, "--run-dir", Path.Combine(_root, "r1"));
        var victim = Start("rollout-2", "--roles", "rollout", "--seed-nodes", seed, "--run-dir", Path.Combine(_root, "r2"));
        Assert.True(victim.WaitForOutput("joined the cluster", TimeSpan.FromSeconds(60)), "rollout-2 did not join");
        Assert.True(survivor.WaitForOutput("joined the cluster", TimeSpan.FromSeconds(60)), "rollout-1 did not join");

        Assert.True(learner.WaitForOutput("step 2/", TimeSpan.FromSeconds(90)), "no progress before the kill");
        victim.Kill();
        Log("killed rollout-2 (SIGKILL)");

        Assert.True(learner.WaitForExit(TimeSpan.FromSeconds(150)), "the run did not complete after the kill");
        Log($"learner exited {learner.ExitCode}");
        Assert.Equal(0, learner.ExitCode);
        Assert.Contains($"the run is complete at step {Steps}", learner.Output);
        Assert.True(survivor.WaitForExit(TimeSpan.FromSeconds(30)), "the surviving rollout node did not stop with the run");
        Assert.Equal(0, survivor.ExitCode);

        // The journal is the record: every prompt of the run in exactly one effective step.
        var persistence = PersistenceConfig.Build(PersistenceSettings.Default with { Store = JournalStore.Sqlite }, runDir);
        using var system = ActorSystem.Create("journal-check", persistence.WithFallback("akka.loglevel = WARNING"));
        var events = await JournalReader.ReadAsync(system, "run", TimeSpan.FromSeconds(30));
        var steps = JournalReader.EffectiveSteps(events);
        Assert.Equal(Enumerable.Range(1, Steps).Select(s => (long)s), steps.Select(s => s.PolicyVersion));
        var trained = steps.SelectMany(s => s.Seqs).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, Steps * PromptsPerStep).Select(i => (long)i), trained);
        await system.Terminate();
    }

    [Fact]
    public async Task The_learner_moves_to_a_standby_process_on_postgresql_and_every_prompt_is_trained_exactly_once()
    {
        if (Environment.GetEnvironmentVariable("HPT_TEST_POSTGRES") is null)
            throw new InvalidOperationException("HPT_TEST_POSTGRES is not set: run the tests with `bash tools/test.sh`");
        const int steps = FailoverSteps;
        var runId = $"failover-{Guid.NewGuid():N}"[..20];
        var runDir = Path.Combine(_root, "shared-run");
        string[] shared =
        [
            "--run-dir", runDir, "--set", $"run.id={runId}",
            "--set", "persistence.store=postgresql", "--set", "persistence.connection-string=env:HPT_TEST_POSTGRES",
            "--set", "checkpoint.every-steps=1",
            // The exactly-once check below reads every StepRecorded event: no snapshot may delete the early ones.
            "--set", "persistence.snapshot-every-steps=0",
        ];
        // Two learner nodes and a rollout node: every node counts, so the two survivors are the majority. All three
        // need it (with the default, the learners alone count: a tie that the lowest address, possibly the dead one, wins).
        string[] everyNode = ["--set", "cluster.majority-role=\"\""];
        var port = NodeProcesses.FreePort();
        var seed = $"akka.tcp://hpt@127.0.0.1:{port}";
        var active = Start("learner-a", steps, ["--roles", "learner", "--port", port.ToString(), .. shared, .. everyNode]);
        Assert.True(active.WaitForOutput("joined the cluster", TimeSpan.FromSeconds(90)), "learner-a did not start");
        var standby = Start("learner-b", steps, ["--roles", "learner", "--seed-nodes", seed, .. shared, .. everyNode]);
        var rollout = Start("rollout", steps, ["--roles", "rollout", "--seed-nodes", seed, "--run-dir", Path.Combine(_root, "r"), .. everyNode]);
        Assert.True(standby.WaitForOutput("joined the cluster", TimeSpan.FromSeconds(90)), "learner-b did not join");
        Assert.True(rollout.WaitForOutput("joined the cluster", TimeSpan.FromSeconds(90)), "the rollout node did not join");

        Assert.True(active.WaitForOutput("step 3/", TimeSpan.FromSeconds(120)), "no progress before the kill");
        active.Kill();
        Log("killed learner-a (SIGKILL) after step 3");
        Assert.False(active.Output.Contains($"the run is complete at step {steps}"),
            "learner-a finished the whole run before the kill: there was no failover to test (lengthen FailoverSteps)");

        Assert.True(standby.WaitForExit(TimeSpan.FromSeconds(240)), "the run did not complete on learner-b");
        Assert.Equal(0, standby.ExitCode);
        Assert.Contains($"the run is complete at step {steps}", standby.Output);
        Assert.Matches(@"journal at step [1-9][0-9]*; loaded the checkpoint of step [1-9][0-9]*", standby.Output); // resumed, not restarted
        Assert.True(rollout.WaitForExit(TimeSpan.FromSeconds(30)), "the rollout node did not stop with the run");
        Assert.Equal(0, rollout.ExitCode);

        // The shared journal is the record: the standby resumed it, and every prompt is in exactly one effective step.
        var persistence = PersistenceConfig.Build(
            PersistenceSettings.Default with { Store = JournalStore.PostgreSql, ConnectionString = "env:HPT_TEST_POSTGRES" }, runDir);
        using var system = ActorSystem.Create("journal-check", persistence.WithFallback("akka.loglevel = WARNING"));
        var view = await JournalReader.ReadViewAsync(system, runId, TimeSpan.FromSeconds(30));
        await system.Terminate();
        Assert.Equal(steps, view.State.PolicyVersion);
        var trained = JournalReader.EffectiveSteps(view.Events).SelectMany(s => s.Seqs).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, steps * PromptsPerStep).Select(i => (long)i), trained);
    }
}
