using System.Runtime.InteropServices;

namespace Hpt.Cli.Commands;

/// <summary>Ctrl-C and SIGTERM become a cancellation, so a run saves a checkpoint and stops instead of dying.</summary>
public sealed class ShutdownSignal : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly PosixSignalRegistration? _sigterm;
    private bool _disposed;

    public ShutdownSignal()
    {
        Console.CancelKeyPress += OnCancelKeyPress;
        if (!OperatingSystem.IsWindows())
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                Cancel();
            });
    }

    public CancellationToken Token => _cts.Token;

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_disposed || _cts.IsCancellationRequested) return; // a second Ctrl-C kills as usual
        e.Cancel = true;
        Cancel();
    }

    /// <summary>
    /// A signal can be delivered on the runtime's signal thread after the run has ended and this was disposed (seen: a
    /// SIGTERM handled late crashed the process with ObjectDisposedException); by then there is nothing left to stop.
    /// </summary>
    private void Cancel()
    {
        lock (_cts)
        {
            if (!_disposed) _cts.Cancel();
        }
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _sigterm?.Dispose();
        lock (_cts)
        {
            _disposed = true;
            _cts.Dispose();
        }
    }
}
