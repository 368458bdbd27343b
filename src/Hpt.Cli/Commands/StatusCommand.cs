using System.CommandLine;
using System.Text.Json;
using Hpt.Actors.Cluster;
using Hpt.Actors.Hosting;
using Hpt.Cli.Reporting;

namespace Hpt.Cli.Commands;

/// <summary>
/// `hpt status --run-dir D` or `hpt status --cluster HOST:PORT`: where a run is (step, pace, ETA, in-flight work per
/// worker, journal, checkpoint; over the cluster also the nodes and their roles), read from its directory or asked of
/// the running cluster's learner, while it runs.
/// </summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var runDir = new Option<string?>("--run-dir") { Description = "The run directory (of `hpt train` or of the learner node)." };
        var cluster = new Option<string?>("--cluster")
        {
            Description = "Ask a running cluster instead: the address of any of its nodes, HOST:PORT or akka.tcp://hpt@HOST:PORT " +
                          "(akka.ssl.tcp with TLS). Give it the nodes' hpt.cluster.tls settings (--config/--set) when they use TLS.",
        };
        var timeout = new Option<double>("--timeout")
        {
            Description = "With --cluster: seconds to wait for the answer before failing (default 10).",
            DefaultValueFactory = _ => 10,
        };
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON line instead." };
        var config = new Option<FileInfo?>("--config", "-c") { Description = "With --cluster: HOCON file with the nodes' hpt.cluster settings (TLS, frame size)." };
        var set = new Option<string[]>("--set", "-s") { Description = "With --cluster: override one setting, e.g. --set cluster.tls.certificate=node.crt (repeatable)." };
        var command = new Command("status", "Where a run is: step, pace, ETA, in-flight work per worker, journal size, newest checkpoint " +
                                            "(works while it runs); with --cluster also the nodes and their roles, asked of the learner.")
        {
            runDir, cluster, timeout, json, config, set,
        };
        command.SetAction(parsed =>
        {
            var (dir, address) = (parsed.GetValue(runDir), parsed.GetValue(cluster));
            if ((dir is null) == (address is null)) throw new ArgumentException("give either --run-dir D or --cluster HOST:PORT");
            RunStatusView.Snapshot snapshot;
            if (dir is not null)
                snapshot = RunStatusView.Read(dir);
            else
            {
                var seconds = parsed.GetValue(timeout);
                if (!(seconds > 0)) throw new ArgumentException($"--timeout {seconds} must be a positive number of seconds");
                var file = parsed.GetValue(config);
                if (file is not null && !file.Exists) throw new FileNotFoundException($"configuration file not found: {file.FullName}");
                var settings = ClusterSettings.Create(Hpt.Actors.Settings.HptConfig.Load(file?.FullName, parsed.GetValue(set) ?? []));
                snapshot = RunStatusView.Snapshot.Of(ClusterStatusClient.AskAsync(settings, address!, TimeSpan.FromSeconds(seconds),
                    parsed.GetValue(CliRunner.Verbose)).GetAwaiter().GetResult());
            }
            if (parsed.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(snapshot, new JsonSerializerOptions(StatusFileWriter.Json) { WriteIndented = false }));
            else
                foreach (var line in RunStatusView.Render(snapshot, DateTime.UtcNow)) Console.WriteLine(line);
            return 0;
        });
        return command;
    }
}
