using Hpt.Cli.Tests.Support;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Hpt.Actors.Persistence;
using Xunit.Abstractions;

namespace Hpt.Cli.Tests.Cluster;

/// <summary>
/// The cluster promise with real processes: a learner and two rollout nodes (`hpt node`) on loopback train the tiny
/// model; one rollout process is killed with SIGKILL mid-run; the run completes and its journal shows every prompt
/// of the run trained exactly once.
/// </summary>
public sealed class ClusterProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int Steps = 6;
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

    private HptProcess Start(string name, params string[] arguments)
    {
        string[] common =
        [
            "node", "--weights-dir", Path.Combine(_root, "weights"),
            "--set", "run.torch-threads=1", "--set", "run.seed=5",
            "--set", "model.tiny.hidden-size=48", "--set", "model.tiny.layers=2", "--set", "model.tiny.heads=4",
            "--set", "model.tiny.kv-heads=2", "--set", "model.tiny.intermediate-size=96", "--set", "model.tiny.max-positions=96",
            "--set", "task.difficulty=easy", "--set", "task.train-size=64", "--set", "task.eval-size=4", "--set", "task.warmup-steps=2",
            "--set", $"pipeline.prompts-per-step={PromptsPerStep}", "--set", "pipeline.samples-per-prompt=4",
            "--set", $"pipeline.total-steps={Steps}", "--set", "rollout.max-new-tokens=24",
            "--set", "cluster.stable-after=3s", "--set", "cluster.acceptable-heartbeat-pause=4s",
        ];
        var node = HptProcess.Start(name, [.. common, .. arguments]);
        _nodes.Add(node);
        Log($"started {name}");
        return node;
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        var port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
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
        var port = FreePort();
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
        var persistence = PersistenceConfig.Build(new PersistenceSettings { Store = JournalStore.Sqlite }, runDir);
        using var system = ActorSystem.Create("journal-check", persistence.WithFallback("akka.loglevel = WARNING"));
        var events = await JournalReader.ReadAsync(system, "run", TimeSpan.FromSeconds(30));
        var steps = JournalReader.EffectiveSteps(events);
        Assert.Equal(Enumerable.Range(1, Steps).Select(s => (long)s), steps.Select(s => s.Step));
        var trained = steps.SelectMany(s => s.Seqs).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, Steps * PromptsPerStep).Select(i => (long)i), trained);
        await system.Terminate();
    }
}
