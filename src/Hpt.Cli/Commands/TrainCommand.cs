using System.CommandLine;
using Hpt.Actors.Hosting;
using Hpt.Actors.Settings;
using Hpt.Cli.Reporting;

namespace Hpt.Cli.Commands;

/// <summary>`hpt train`: a full run from configuration (resumes when the run directory exists).</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var options = new TrainOptions();
        var command = new Command("train", "Train with the configured algorithm (default: HPT on the built-in arithmetic task). " +
                                           "Re-run the same command to resume after a crash or Ctrl-C.");
        options.AddTo(command);
        command.SetAction(parsed => Run(options.Load(parsed), "hpt train"));
        return command;
    }

    public static int Run(Akka.Configuration.Config config, string title)
    {
        using var shutdown = new ShutdownSignal();
        RunOutcome outcome;
        string? report = null;
        using (var observer = new ConsoleRunObserver())
        {
            outcome = TrainingRun.RunAsync(config, observer, shutdown.Token).GetAwaiter().GetResult();
            if (observer.RunDirectory is { } dir)
            {
                var settings = RunDirectory.Fingerprint(config).ToDictionary(kv => kv.Key, kv => kv.Value);
                report = RunReport.Write(dir, MetricsLog.ReadMetrics(dir), observer.Before, observer.After, title, settings, observer.Data);
            }
            if (outcome.Completed) ResultsTable.Print(outcome.Before, outcome.After);
        }
        Console.WriteLine(outcome.Completed
            ? $"done: {outcome.Steps} steps, {outcome.TrainSeconds:0} s of training; report {report}"
            : $"stopped at step {outcome.Steps}/{outcome.TotalSteps}; run the same command to resume (run directory {outcome.RunDirectory})");
        return outcome.Completed ? 0 : 130;
    }
}
