using System.CommandLine;
using Hpt.Actors.Hosting;

namespace Hpt.Cli.Commands;

/// <summary>`hpt export --run-dir D [--step N] -o DIR`: a checkpoint as a Hugging Face model folder.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var runDir = new Option<DirectoryInfo>("--run-dir") { Description = "The run directory (hpt.run.dir of the run).", Required = true };
        var step = new Option<long?>("--step") { Description = "The checkpoint's step (default: the newest intact one)." };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "The folder to write (replaced if it exists).", Required = true };
        var command = new Command("export", "Write a run's checkpoint as a Hugging Face folder: config.json, tokenizer files, generation_config.json, " +
                                            "model.safetensors in the source dtype.")
        {
            runDir, step, output,
        };
        command.SetAction(parsed =>
        {
            var target = parsed.GetValue(output)!.FullName;
            var exported = ModelExport.Run(parsed.GetValue(runDir)!.FullName, parsed.GetValue(step), target);
            Console.WriteLine($"exported step {exported} to {target}");
            return 0;
        });
        return command;
    }
}
