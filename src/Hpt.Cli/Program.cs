using System.CommandLine;
using Hpt.Cli.Commands;

var root = new RootCommand("hpt: hybrid post-training (SFT + RL) of language models on Akka.NET actors and TorchSharp.");
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(GpuCheckCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(CompareCommand.Create());
root.Subcommands.Add(NodeCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(ReproCommand.Create());
// New commands register here, one line each (one file per command under Commands/).

return CliRunner.Run(root, args);
