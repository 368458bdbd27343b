using System.CommandLine;
using System.Text.Json;
using Hpt.Actors.Hosting;
using Hpt.Cli.Reporting;

namespace Hpt.Cli.Commands;

/// <summary>`hpt status --run-dir D`: where a run is (step, pace, ETA, in-flight work per worker, journal, checkpoint), read from its directory while it runs.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var runDir = new Option<string>("--run-dir") { Description = "The run directory (of `hpt train` or of the learner node).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the report as one JSON line instead." };
        var command = new Command("status", "Where a run is: step, pace, ETA, in-flight work per worker, journal size, newest checkpoint (works while it runs).")
        {
            runDir, json,
        };
        command.SetAction(parsed =>
        {
            var snapshot = RunStatusView.Read(parsed.GetValue(runDir)!);
            if (parsed.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(snapshot, new JsonSerializerOptions(StatusFileWriter.Json) { WriteIndented = false }));
            else
                foreach (var line in RunStatusView.Render(snapshot, DateTime.UtcNow)) Console.WriteLine(line);
            return 0;
        });
        return command;
    }
}
