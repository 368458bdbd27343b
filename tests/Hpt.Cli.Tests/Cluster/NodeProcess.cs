using System.Diagnostics;
using System.Text;

namespace Hpt.Cli.Tests.Cluster;

/// <summary>One `hpt node` child process (the hpt.dll built next to the tests), with its output collected.</summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }
    public int ExitCode => _process.ExitCode;

    public static string HptDll => Path.Combine(AppContext.BaseDirectory, "hpt.dll");

    public static NodeProcess Start(string name, IEnumerable<string> arguments)
    {
        if (!File.Exists(HptDll)) throw new FileNotFoundException("hpt.dll is not next to the tests", HptDll);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(HptDll);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["DOTNET_gcServer"] = "0";
        return new NodeProcess(name, Process.Start(info) ?? throw new InvalidOperationException("could not start hpt"));
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit(); // flush the output handlers
        return true;
    }

    public bool WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal)) return true;
            if (_process.HasExited) return false;
            Thread.Sleep(50);
        }
        return false;
    }

    /// <summary>SIGKILL: no shutdown hook runs and the node never leaves the cluster, like a machine that dies.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
