using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Configuration;
using Hpt.Actors.Cluster;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Persistence;
using Hpt.Actors.Protocol;
using Hpt.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Hpt.Cli.Tests.Cluster;

/// <summary>
/// No one takes part uninvited, with real processes on loopback: a process that is not a cluster member asks the
/// coordinator for work by its path and gets nothing; an `hpt node` with other generation settings, and a learner node
/// of another run, ask to join the live cluster, are refused and exit with one `hpt: error:` line naming what differs.
/// The run is unaffected: it completes with every prompt trained exactly once, none of them by an intruder.
/// </summary>
public sealed class NodeAdmissionProcessTests(ITestOutputHelper output) : IDisposable
{
    // Long enough that the run is still going while the mismatched nodes start and are refused (a 40-step run once
    // ended before the node of another run had joined, and the test saw no refusal).
    private const int Steps = 120;
    private const int PromptsPerStep = 4;
    private readonly string _root = Directory.CreateTempSubdirectory("hpt-admission-").FullName;
    private NodeProcesses? _nodes;

    public void Dispose()
    {
        _nodes?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Collects whatever the cluster sends to the intruder's actor.</summary>
    private sealed class Collector : ReceiveActor
    {
        public Collector(ConcurrentQueue<object> received) => ReceiveAny(received.Enqueue);
    }

    [Fact]
    public async Task A_non_member_process_and_nodes_of_other_settings_or_another_run_are_refused_and_the_run_is_unaffected()
    {
        _nodes = new NodeProcesses(output,
        [
            "--weights-dir", Path.Combine(_root, "weights"),
            "--set", "run.torch-threads=1", "--set", "run.seed=5",
            "--set", "model.tiny.hidden-size=48", "--set", "model.tiny.layers=2", "--set", "model.tiny.heads=4",
            "--set", "model.tiny.kv-heads=2", "--set", "model.tiny.intermediate-size=96", "--set", "model.tiny.max-positions=96",
            "--set", "task.difficulty=easy", "--set", "task.train-size=256", "--set", "task.eval-size=4", "--set", "task.warmup-steps=2",
            "--set", $"pipeline.prompts-per-step={PromptsPerStep}", "--set", "pipeline.samples-per-prompt=4",
            "--set", $"pipeline.total-steps={Steps}",
            "--set", "cluster.stable-after=3s", "--set", "cluster.acceptable-heartbeat-pause=4s",
        ]);
        var runDir = Path.Combine(_root, "run");
        var port = NodeProcesses.FreePort();
        var seed = $"akka.tcp://hpt@127.0.0.1:{port}";
        var learner = _nodes.Start("learner", "--roles", "learner", "--port", port.ToString(), "--run-dir", runDir,
            "--set", "rollout.max-new-tokens=24",
            // The checks below read every StepRecorded and GroupScored event: no snapshot may delete the early ones.
            "--set", "persistence.snapshot-every-steps=0");
        Assert.True(learner.WaitForOutput("joined the cluster", TimeSpan.FromSeconds(90)), "the learner did not start");
        var rollout = _nodes.Start("rollout", "--roles", "rollout", "--seed-nodes", seed, "--run-dir", Path.Combine(_root, "r"),
            "--set", "rollout.max-new-tokens=24");
        Assert.True(rollout.WaitForOutput("joined the cluster", TimeSpan.FromSeconds(90)), "the rollout node did not join");
        Assert.True(learner.WaitForOutput("step 1/", TimeSpan.FromSeconds(120)), "no training step");

        // The mismatched nodes start at once: their start-up (join) overlaps the intruder's phase instead of adding to
        // the time the run must last.
        // 2. A rollout node with other generation settings (sampling length).
        var odd = _nodes.Start("rollout-other-settings", "--roles", "rollout", "--seed-nodes", seed, "--run-dir", Path.Combine(_root, "o"),
            "--set", "rollout.max-new-tokens=12");
        // 3. A learner node of another run (its own run directory, so another run.id) joins the live cluster as a standby.
        // Up, its verifier path would be a routee of the rollout node's verifier router with no pool behind it, and the
        // groups sent there would be lost (issue 22: the run stalled): it is refused while it joins.
        var stranger = _nodes.Start("learner-other-run", "--roles", "learner", "--seed-nodes", seed, "--run-dir", Path.Combine(_root, "other-run"),
            "--set", "rollout.max-new-tokens=24");

        // 1. A process that is no member (this test's own ActorSystem, remoting only) asks for work by the coordinator's path.
        var received = new ConcurrentQueue<object>();
        using var intruder = ActorSystem.Create("intruder", ConfigurationFactory.ParseString("""
                akka.actor.provider = remote
                akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
                akka.loglevel = WARNING
                """).WithFallback(ClusterConfig.Serialization()));
        var inbox = intruder.ActorOf(Props.Create(() => new Collector(received)), "worker");
        var coordinator = intruder.ActorSelection($"{seed}/user/{ClusterNode.LearnerManagerName}/root/coordinator");
        for (var i = 0; i < 3; i++)
        {
            coordinator.Tell(new RegisterWorker(inbox, "intruder/rollout-0", 0) { Credits = 4 }, inbox);
            coordinator.Tell(new RequestWork(inbox, "intruder/rollout-0", 0) { Credits = 4 }, inbox);
            await Task.Delay(500);
        }
        Assert.True(learner.WaitForOutput("which is not a rollout member; ignored", TimeSpan.FromSeconds(30)),
            "the learner did not say that it ignored the non-member's request");

        // 2. The rollout node with other generation settings leaves with one line.
        Assert.True(odd.WaitForExit(TimeSpan.FromSeconds(120)), "the node with other settings kept running");
        Assert.NotEqual(0, odd.ExitCode);
        var oddError = Assert.Single(odd.Output.Split('\n'), l => l.StartsWith("hpt: error:", StringComparison.Ordinal));
        Assert.Contains("generation settings", oddError);
        Assert.Contains("hpt.rollout", oddError);
        Assert.Matches(@"does not match node akka\.tcp://hpt@127\.0\.0\.1:\d+ \[", oddError); // names the node it does not match
        // The refusing member told it which key differs, with both values.
        Assert.Contains("hpt.rollout.max-new-tokens = '12' here, '24' there", oddError);

        // 3. The learner node of another run leaves with one line.
        Assert.True(stranger.WaitForExit(TimeSpan.FromSeconds(120)), "the learner node of another run kept running");
        Assert.NotEqual(0, stranger.ExitCode);
        var strangerError = Assert.Single(stranger.Output.Split('\n'), l => l.StartsWith("hpt: error:", StringComparison.Ordinal));
        Assert.Contains("hpt.run.id", strangerError);
        Assert.Contains("[learner", strangerError); // the node it does not match: the run's learner
        Assert.Contains("hpt.run.id = 'other-run' here, 'run' there", strangerError);
        Assert.Contains("asked to join and does not match this node", learner.Output); // the seed refused it while it joined

        // The run is unaffected.
        if (!learner.WaitForExit(TimeSpan.FromSeconds(240)))
        {
            using var status = HptProcess.Start("status", ["status", "--run-dir", runDir]);
            status.WaitForExit(TimeSpan.FromSeconds(60));
            _nodes.Log($"the run did not complete; hpt status:\n{status.Output}");
            Assert.Fail("the run did not complete");
        }
        Assert.Equal(0, learner.ExitCode);
        Assert.Contains($"the run is complete at step {Steps}", learner.Output);
        // A member of the run (the one the newcomer was compared against) logs the node it removes.
        Assert.True(learner.Output.Contains("does not match this node") || rollout.Output.Contains("does not match this node"),
            "no node of the run logged the mismatched node it removed");
        Assert.True(rollout.WaitForExit(TimeSpan.FromSeconds(30)), "the rollout node did not stop with the run");
        Assert.Equal(0, rollout.ExitCode);
        Assert.DoesNotContain(received, m => m is GenerateRollouts);
        Assert.DoesNotContain(received, m => m is UpdatePolicy);

        var persistence = PersistenceConfig.Build(PersistenceSettings.Default with { Store = JournalStore.Sqlite }, runDir);
        using var system = ActorSystem.Create("journal-check", persistence.WithFallback("akka.loglevel = WARNING"));
        var events = await JournalReader.ReadAsync(system, "run", TimeSpan.FromSeconds(30));
        await system.Terminate();
        var trained = JournalReader.EffectiveSteps(events).SelectMany(s => s.Seqs).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, Steps * PromptsPerStep).Select(i => (long)i), trained);
        var rolloutAddress = Regex.Match(rollout.Output, @"node akka\.tcp://hpt@([0-9.]+:\d+) \[").Groups[1].Value;
        Assert.All(events.OfType<GroupScored>(), g => Assert.StartsWith(rolloutAddress + "/", g.Verified.Group.WorkerId));
    }
}
