using System.Diagnostics;
using System.Text;

namespace Hpt.Cli.Tests.Support;

/// <summary>Runs the built `hpt` (hpt.dll next to the tests) as a child process, to be killed like a real job.</summary>
public sealed class HptProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HptProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>A label for test output (e.g. the node's role).</summary>
    public string Name { get; }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static HptProcess Start(IEnumerable<string> arguments) => Start("hpt", arguments);

    public static HptProcess Start(string name, IEnumerable<string> arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "hpt.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("hpt.dll is not next to the tests", dll);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["DOTNET_gcServer"] = "0";
        return new HptProcess(name, Process.Start(info) ?? throw new InvalidOperationException("could not start hpt"));
    }

    /// <summary>Waits for exit; false when the timeout passed first.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit(); // flush the output handlers
        return true;
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; false when the process exits or time runs out first.</summary>
    public bool WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal)) return true;
            if (_process.HasExited) return false;
            Thread.Sleep(20);
        }
        return false;
    }

    public int ExitCode => _process.ExitCode;

    public bool HasExited => _process.HasExited;

    /// <summary>SIGTERM, as a cluster scheduler or `kill` sends it: the process's own shutdown handler runs.</summary>
    public void Terminate()
    {
        if (_process.HasExited) return;
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })
                         ?? throw new InvalidOperationException("could not run kill");
        kill.WaitForExit();
        if (kill.ExitCode != 0 && !_process.HasExited) throw new InvalidOperationException($"kill -TERM {_process.Id} failed ({kill.ExitCode})");
    }

    /// <summary>SIGKILL: no handler runs, exactly like an out-of-memory kill or a pre-emption.</summary>
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
