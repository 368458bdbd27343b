using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace Hpt.Cli.Tests.Support;

/// <summary>
/// The `hpt node` processes of one cluster test: started with the test's common arguments, their output written to
/// the test log (with the time each was started) when the test ends, every one killed then.
/// </summary>
public sealed class NodeProcesses(ITestOutputHelper output, IReadOnlyList<string> common) : IDisposable
{
    private readonly List<HptProcess> _nodes = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public HptProcess Start(string name, params string[] arguments)
    {
        var node = HptProcess.Start(name, ["node", .. common, .. arguments]);
        _nodes.Add(node);
        Log($"started {name}");
        return node;
    }

    public void Log(string text) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0}s {text}");

    /// <summary>A TCP port free on loopback now (a seed node needs a fixed one that the others can be told).</summary>
    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        var port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            output.WriteLine($"--- {node.Name} ---\n{node.Output}");
            node.Dispose();
        }
    }
}
