using System.CommandLine;
using Hpt.Diagnostics;

namespace Hpt.Cli.Commands;

/// <summary>
/// `hpt gpu-check`: backend, libtorch and CUDA versions, device name, CUDA initialisation (the loader's trace on failure),
/// then numerics and speed on the device against the CPU. One readable line per check, then one JSON line with every
/// figure; exit code 1 when any check failed. The checks live in <see cref="GpuCheck"/>; this file only maps options.
/// </summary>
public static class GpuCheckCommand
{
    public static Command Create()
    {
        var defaults = new GpuCheckOptions();
        var quick = new Option<bool>("--quick") { Description = "Initialisation only: backend, versions, CUDA init and one tiny op." };
        var device = new Option<string>("--device")
        {
            Description = "auto (CUDA when the NVIDIA driver reports a device, else CPU checks only), cuda, cuda:N (CUDA required) or cpu.",
            DefaultValueFactory = _ => defaults.Device,
        };
        var command = new Command("gpu-check", "Check that this build and the libtorch it loads work on this machine's GPU (CPU checks where there is none).");
        command.Options.Add(quick);
        command.Options.Add(device);
        command.SetAction(parseResult =>
        {
            var options = defaults with { Quick = parseResult.GetValue(quick), Device = parseResult.GetValue(device)! };
            var report = GpuCheck.Run(options, Console.Out);
            Console.WriteLine(report.Ok ? "gpu-check: all checks passed" : $"gpu-check: {report.Checks.Count(c => c.Failed)} check(s) FAILED");
            Console.WriteLine(report.ToJson());
            return report.ExitCode;
        });
        return command;
    }
}
