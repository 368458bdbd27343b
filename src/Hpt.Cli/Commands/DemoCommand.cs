using System.CommandLine;
using TorchSharp;

namespace Hpt.Cli.Commands;

/// <summary>`hpt demo`: the README's main job.</summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "Train a small model with HPT on a built-in task, on the CPU, and print before/after accuracy.");
        command.SetAction(_ =>
        {
            Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, libtorch threads {torch.get_num_threads()}");
            using var scope = torch.NewDisposeScope();
            var x = torch.ones(2, 2);
            Console.WriteLine($"tensor check: sum = {x.sum().item<float>()}");
            return 0;
        });
        return command;
    }
}
