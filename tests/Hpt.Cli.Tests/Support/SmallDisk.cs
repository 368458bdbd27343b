using System.Diagnostics;

namespace Hpt.Cli.Tests.Support;

/// <summary>
/// A size-limited directory: a tmpfs of a few hundred KiB mounted for one test (needs root or CAP_SYS_ADMIN, as in
/// the project's test container), so that "disk full" is the kernel's real ENOSPC and not a simulation.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    public SmallDisk(string path, int kilobytes)
    {
        Path = path;
        Directory.CreateDirectory(path);
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", path);
        if (code != 0)
            throw new InvalidOperationException($"cannot mount a {kilobytes} KiB tmpfs at {path} (these tests need root): {output}");
    }

    public string Path { get; }

    public void Dispose() => Run("umount", "-l", Path);

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
