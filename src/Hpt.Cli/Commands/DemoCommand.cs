using System.CommandLine;

namespace Hpt.Cli.Commands;

/// <summary>`hpt demo`: the README's main job, HPT on the built-in task with the embedded defaults.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var options = new TrainOptions();
        var command = new Command("demo", "Train a small model with HPT on a built-in task, on the CPU, and print before/after accuracy " +
                                          "(one process, SQLite journal in runs/demo).");
        options.AddTo(command);
        command.SetAction(parsed => TrainCommand.Run(options.Load(parsed), "hpt demo"));
        return command;
    }
}
