using System.Diagnostics;

namespace Hpt.Cli.Tests.Support;

/// <summary>
/// A size-limited directory: a tmpfs of a few hundred KiB mounted for one test (needs root or CAP_SYS_ADMIN, as in
/// the project's test container; elsewhere through password-less sudo, as tools/setup.sh uses), so that "disk full" is
/// the kernel's real ENOSPC and not a simulation.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private static readonly bool IsRoot = Environment.UserName == "root";

    /// <param name="readOnly">Mounted read-only: not even root can write there (EROFS), unlike a chmod.</param>
    public SmallDisk(string path, int kilobytes, bool readOnly = false)
    {
        Path = path;
        Directory.CreateDirectory(path);
        var options = $"size={kilobytes}k,mode=1777" + (readOnly ? ",ro" : "");
        var (code, output) = Privileged("mount", "-t", "tmpfs", "-o", options, "tmpfs", path);
        if (code != 0)
            throw new InvalidOperationException($"cannot mount a {kilobytes} KiB tmpfs at {path} (these tests need root or password-less sudo): {output}");
    }

    public string Path { get; }

    public void Dispose() => Privileged("umount", "-l", Path);

    private static (int Code, string Output) Privileged(string file, params string[] args) =>
        IsRoot ? Run(file, args) : Run("sudo", ["-n", file, .. args]);

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
