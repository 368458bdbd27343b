using Hpt.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Hpt.Cli.Tests.Cluster;

/// <summary>
/// A rollout node whose learner died leaves the cluster and its process exits with one clear line (it used to take
/// itself down and then wait forever, so a restarted learner got no workers). Restarting is the operator's job.
/// </summary>
public sealed class NodeLifecycleTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hpt-lifecycle-").FullName;
    private readonly List<HptProcess> _nodes = [];

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            output.WriteLine($"--- {node.Name} ---\n{node.Output}");
            node.Dispose();
        }
        Directory.Delete(_root, recursive: true);
    }

    private HptProcess Start(string name, params string[] arguments)
    {
        string[] common =
        [
            "node", "--weights-dir", Path.Combine(_root, "weights"), "--set", "run.torch-threads=1",
            "--set", "model.tiny.hidden-size=32", "--set", "model.tiny.layers=1", "--set", "model.tiny.intermediate-size=64",
            "--set", "model.tiny.max-positions=96", "--set", "task.train-size=64", "--set", "task.eval-size=4", "--set", "task.warmup-steps=0",
            "--set", "pipeline.prompts-per-step=2", "--set", "pipeline.samples-per-prompt=2", "--set", "pipeline.total-steps=100000",
            "--set", "rollout.max-new-tokens=16", "--set", "cluster.stable-after=3s", "--set", "cluster.acceptable-heartbeat-pause=4s",
        ];
        var node = HptProcess.Start(name, [.. common, .. arguments]);
        _nodes.Add(node);
        return node;
    }


    [Fact]
    public void Rollout_node_exits_with_one_error_line_when_its_learner_is_killed()
    {
        var port = NodeProcesses.FreePort();
        var learner = Start("learner", "--roles", "learner", "--port", port.ToString(), "--run-dir", Path.Combine(_root, "run"));
        Assert.True(learner.WaitForOutput("joined the cluster", TimeSpan.FromSeconds(120)), "the learner did not start");
        var rollout = Start("rollout", "--roles", "rollout", "--seed-nodes", $"akka.tcp://hpt@127.0.0.1:{port}", "--run-dir", Path.Combine(_root, "r"));
        Assert.True(rollout.WaitForOutput("joined the cluster", TimeSpan.FromSeconds(120)), "the rollout node did not join");
        Assert.True(learner.WaitForOutput("step 2/", TimeSpan.FromSeconds(120)), "no training steps");

        learner.Kill();
        Assert.True(rollout.WaitForExit(TimeSpan.FromSeconds(60)), "the rollout node kept running without a learner");
        Assert.NotEqual(0, rollout.ExitCode);
        var error = Assert.Single(rollout.Output.Split('\n'), l => l.StartsWith("hpt: error:", StringComparison.Ordinal));
        Assert.Contains("learner", error);
        Assert.Contains("start the learner node again", error);
    }
}
