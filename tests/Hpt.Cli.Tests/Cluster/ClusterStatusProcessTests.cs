using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Hpt.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Hpt.Cli.Tests.Cluster;

/// <summary>
/// `hpt status --cluster` with real processes on loopback: asked while a learner and a rollout node train, it prints
/// the step, the nodes with their roles and the prompts in flight on the rollout node's worker, and the run completes
/// undisturbed; asked of an address where no node listens, it fails at once with one `hpt: error:` line naming the
/// address, and of one that never answers, with such a line soon after its deadline.
/// </summary>
public sealed class ClusterStatusProcessTests(ITestOutputHelper output) : IDisposable
{
    // Long enough that the run is still going when both queries are made (a step takes about 0.2 s on an idle machine).
    private const int Steps = 100;
    private readonly string _root = Directory.CreateTempSubdirectory("hpt-cluster-status-").FullName;
    private NodeProcesses? _nodes;

    public void Dispose()
    {
        _nodes?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private HptProcess Status(params string[] arguments)
    {
        var status = HptProcess.Start("status", ["status", .. arguments]);
        Assert.True(status.WaitForExit(TimeSpan.FromSeconds(60)), "hpt status did not exit");
        output.WriteLine($"--- hpt status {string.Join(' ', arguments)} (exit {status.ExitCode}) ---\n{status.Output}");
        return status;
    }

    [Fact]
    public void Status_over_the_cluster_names_the_step_the_nodes_with_their_roles_and_the_work_in_flight_and_leaves_the_run_undisturbed()
    {
        _nodes = new NodeProcesses(output,
        [
            "--weights-dir", Path.Combine(_root, "weights"),
            "--set", "run.torch-threads=1", "--set", "run.seed=5",
            "--set", "model.tiny.hidden-size=48", "--set", "model.tiny.layers=2", "--set", "model.tiny.heads=4",
            "--set", "model.tiny.kv-heads=2", "--set", "model.tiny.intermediate-size=96", "--set", "model.tiny.max-positions=96",
            "--set", "task.difficulty=easy", "--set", "task.train-size=64", "--set", "task.eval-size=4", "--set", "task.warmup-steps=2",
            "--set", "pipeline.prompts-per-step=4", "--set", "pipeline.samples-per-prompt=4",
            "--set", $"pipeline.total-steps={Steps}", "--set", "rollout.max-new-tokens=24",
            "--set", "cluster.stable-after=3s", "--set", "cluster.acceptable-heartbeat-pause=4s",
        ]);
        var port = NodeProcesses.FreePort();
        var learner = _nodes.Start("learner", "--roles", "learner", "--port", port.ToString(), "--run-dir", Path.Combine(_root, "run"));
        Assert.True(learner.WaitForOutput("joined the cluster", TimeSpan.FromSeconds(90)), "the learner did not start");
        var rollout = _nodes.Start("rollout", "--roles", "rollout", "--seed-nodes", $"akka.tcp://hpt@127.0.0.1:{port}", "--run-dir", Path.Combine(_root, "r"));
        Assert.True(rollout.WaitForOutput("joined the cluster", TimeSpan.FromSeconds(90)), "the rollout node did not join");
        Assert.True(learner.WaitForOutput("step 2/", TimeSpan.FromSeconds(120)), "no training step");

        var status = Status("--cluster", $"127.0.0.1:{port}");
        Assert.Equal(0, status.ExitCode);
        Assert.False(learner.HasExited, "the run ended before the status was asked: lengthen Steps");
        var lines = status.Output.Split('\n', StringSplitOptions.TrimEntries);
        var step = Regex.Match(lines[0], @"^step (\d+)/" + Steps + @" \(policy v\d+\), (running|complete)");
        Assert.True(step.Success, $"no step line: {lines[0]}");
        Assert.InRange(int.Parse(step.Groups[1].Value), 2, Steps);
        Assert.Contains(lines, l => l == $"node akka.tcp://hpt@127.0.0.1:{port} [learner, verifier] up, hosts the learner");
        var rolloutNode = Regex.Match(rollout.Output, @"node (akka\.tcp://hpt@127\.0\.0\.1:\d+) \[rollout\]").Groups[1].Value;
        Assert.NotEmpty(rolloutNode);
        Assert.Contains(lines, l => Regex.IsMatch(l, "^node " + Regex.Escape(rolloutNode) + @" \[rollout\] up: 1 worker\(s\), \d+ prompt\(s\) in flight \(rollout-0 \d+\)$"));
        Assert.Contains(lines, l => l.StartsWith("worker " + rolloutNode["akka.tcp://hpt@".Length..] + "/rollout-0 (v", StringComparison.Ordinal));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^journal: \d+ KiB"));
        Assert.Contains(lines, l => l.StartsWith("newest checkpoint: step-", StringComparison.Ordinal));

        // Any node answers: the rollout node passes the query to the learner singleton and the answer back.
        var viaRollout = Status("--cluster", rolloutNode, "--timeout", "20");
        Assert.Equal(0, viaRollout.ExitCode);
        Assert.Matches(@"^step \d+/" + Steps, viaRollout.Output);
        Assert.Contains($"node akka.tcp://hpt@127.0.0.1:{port} [learner, verifier] up, hosts the learner", viaRollout.Output);

        // The run is undisturbed: it completes, and no node saw the status client as a member or as unreachable.
        Assert.True(learner.WaitForExit(TimeSpan.FromSeconds(240)), "the run did not complete");
        Assert.Equal(0, learner.ExitCode);
        Assert.Contains($"the run is complete at step {Steps}", learner.Output);
        Assert.True(rollout.WaitForExit(TimeSpan.FromSeconds(30)), "the rollout node did not stop with the run");
        Assert.Equal(0, rollout.ExitCode);
        foreach (var node in new[] { learner, rollout })
        {
            Assert.DoesNotContain("hpt-status@", node.Output);
            Assert.DoesNotContain("nreachable", node.Output);
        }
    }

    [Fact]
    public void Status_of_an_address_where_no_node_listens_fails_at_once_with_one_line_naming_it()
    {
        var port = NodeProcesses.FreePort();
        var clock = Stopwatch.StartNew();
        var status = Status("--cluster", $"127.0.0.1:{port}", "--timeout", "10");
        var elapsed = clock.Elapsed;
        Assert.Equal(1, status.ExitCode);
        var error = Assert.Single(status.Output.Split('\n'), l => l.Contains("hpt: error:", StringComparison.Ordinal));
        Assert.Equal($"hpt: error: cannot connect to the cluster node at akka.tcp://hpt@127.0.0.1:{port}: connection refused", error.Trim());
        // A refused connection loses the query: no reason to wait for the deadline (process start-up is the rest).
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"it took {elapsed.TotalSeconds:0.0}s to report a refused connection");
    }

    [Fact]
    public void Status_of_an_address_that_accepts_but_never_answers_fails_with_one_line_naming_it_soon_after_the_deadline()
    {
        // Something listens (the TCP handshake completes) but never speaks Akka: only the deadline ends the wait.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var clock = Stopwatch.StartNew();
        var status = Status("--cluster", $"127.0.0.1:{port}", "--timeout", "3");
        var elapsed = clock.Elapsed;
        Assert.Equal(1, status.ExitCode);
        var error = Assert.Single(status.Output.Split('\n'), l => l.Contains("hpt: error:", StringComparison.Ordinal));
        Assert.StartsWith($"hpt: error: no status from the cluster node at akka.tcp://hpt@127.0.0.1:{port} within 3s", error);
        Assert.True(elapsed >= TimeSpan.FromSeconds(3), $"it gave up after {elapsed.TotalSeconds:0.0}s, before its deadline");
        // Process start-up (a few seconds on a loaded machine) plus the deadline, with room: not the default 10 s, not forever.
        Assert.True(elapsed < TimeSpan.FromSeconds(20), $"it took {elapsed.TotalSeconds:0.0}s to give up after a 3 s deadline");
    }

    [Fact]
    public void Status_needs_exactly_one_of_the_run_directory_and_the_cluster_and_a_well_formed_address()
    {
        var neither = Status();
        Assert.Equal(1, neither.ExitCode);
        Assert.Contains("hpt: error: give either --run-dir D or --cluster HOST:PORT", neither.Output);
        var wrong = Status("--cluster", "akka.ssl.tcp://hpt@127.0.0.1:4053");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("hpt: error: --cluster 'akka.ssl.tcp://hpt@127.0.0.1:4053' is an akka.ssl.tcp address, but this process uses akka.tcp", wrong.Output);
    }
}
