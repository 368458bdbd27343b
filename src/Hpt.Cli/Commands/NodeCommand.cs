using System.CommandLine;
using Hpt.Actors.Cluster;

namespace Hpt.Cli.Commands;

/// <summary>`hpt node`: one node of a multi-node run (see README, "Running on a cluster", and hocon/cluster.conf).</summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var options = new TrainOptions();
        var roles = new Option<string?>("--roles")
        {
            Description = "Comma-separated roles of this node: learner, rollout, verifier (default: all three).",
        };
        var seeds = new Option<string[]>("--seed-nodes")
        {
            Description = "Address of a node to join, e.g. akka.ssl.tcp://hpt@10.0.0.1:4053 (akka.tcp:// without TLS; repeatable or comma-separated). " +
                          "None: this node starts the cluster (it needs the learner role).",
            AllowMultipleArgumentsPerToken = true,
        };
        var port = new Option<int?>("--port") { Description = "TCP port of this node (0 = any free port; give the seed a fixed one)." };
        var hostname = new Option<string?>("--hostname") { Description = "Address this node binds and announces (default 127.0.0.1)." };
        var weights = new Option<string?>("--weights-dir") { Description = "Shared directory of published weight files (every node must see it)." };

        var command = new Command("node", "Run one node of a multi-node training cluster: the learner (coordinator, gate, learner), " +
                                          "rollout workers (one per device of hpt.rollout.devices) and/or a verifier pool.");
        options.AddTo(command);
        command.Options.Add(roles);
        command.Options.Add(seeds);
        command.Options.Add(port);
        command.Options.Add(hostname);
        command.Options.Add(weights);
        command.SetAction(parsed =>
        {
            var overrides = new List<string>();
            if (parsed.GetValue(roles) is { } r) overrides.Add($"cluster.roles={List(r.Split(','))}");
            if (parsed.GetValue(seeds) is { Length: > 0 } s) overrides.Add($"cluster.seed-nodes={List(s.SelectMany(x => x.Split(',')))}");
            if (parsed.GetValue(port) is { } p) overrides.Add($"cluster.port={p}");
            if (parsed.GetValue(hostname) is { } h) overrides.Add($"cluster.hostname={Quote(h)}");
            if (parsed.GetValue(weights) is { } w) overrides.Add($"cluster.weights-dir={Quote(w)}");
            return Run(options.Load(parsed, [.. overrides]));
        });
        return command;
    }

    private static int Run(Akka.Configuration.Config config)
    {
        using var shutdown = new ShutdownSignal();
        using var observer = new ConsoleRunObserver();
        var (steps, completed) = ClusterRun.RunAsync(config, observer, shutdown.Token).GetAwaiter().GetResult();
        Console.WriteLine(completed ? $"done: the run completed at step {steps}"
            : steps >= 0 ? $"node stopped at step {steps}; start the learner node again to resume" : "node stopped");
        return completed ? 0 : 130;
    }

    private static string List(IEnumerable<string> items) =>
        "[" + string.Join(", ", items.Select(i => i.Trim()).Where(i => i.Length > 0).Select(Quote)) + "]";

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
