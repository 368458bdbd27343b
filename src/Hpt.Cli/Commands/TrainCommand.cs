using System.CommandLine;
using Hpt.Actors.Hosting;

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
        command.SetAction(parsed => Run(options.Load(parsed)));
        return command;
    }

    public static int Run(Akka.Configuration.Config config)
    {
        using var shutdown = new ShutdownSignal();
        var observer = new ConsoleRunObserver();
        var outcome = TrainingRun.RunAsync(config, observer, shutdown.Token).GetAwaiter().GetResult();
        Console.WriteLine(outcome.Completed
            ? $"done: {outcome.Steps} steps in {outcome.TrainSeconds:0} s; run directory {outcome.RunDirectory}"
            : $"stopped at step {outcome.Steps}/{outcome.TotalSteps}; run directory {outcome.RunDirectory}");
        return outcome.Completed ? 0 : 130;
    }
}
