using Hpt.Actors.Protocol;
using Spectre.Console;

namespace Hpt.Cli.Reporting;

/// <summary>
/// Shows training progress: a live Spectre progress bar on a terminal, one plain line per step otherwise (CI logs,
/// pipes). Every member may be called from any thread; the Akka event-stream subscriber calls
/// <see cref="Update"/> from a dispatcher thread.
/// </summary>
public sealed class ProgressView : IDisposable
{
    private readonly object _gate = new();
    private readonly ProgressLine _line = new();
    private readonly TextWriter? _plain;
    private readonly IAnsiConsole? _console;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ProgressTask> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task? _render;
    private (string Text, RunProgress Progress)? _latest;
    private bool _disposed;

    /// <summary>Picks the live bar when standard output is an interactive terminal, plain lines otherwise.</summary>
    public ProgressView(string title = "training")
        : this(title, IsTerminal() ? null : Console.Out, IsTerminal() ? AnsiConsole.Console : null)
    {
    }

    /// <summary>Plain lines, one per step, to <paramref name="plainOutput"/>.</summary>
    public ProgressView(string title, TextWriter plainOutput)
        : this(title, plainOutput, null)
    {
    }

    /// <summary>A live progress bar on <paramref name="console"/>.</summary>
    public ProgressView(string title, IAnsiConsole console)
        : this(title, null, console)
    {
    }

    private ProgressView(string title, TextWriter? plainOutput, IAnsiConsole? console)
    {
        _plain = plainOutput;
        _console = console;
        if (_console is null) return;
        // Spectre's live display owns the cursor while it runs, so it runs on its own task until Dispose; updates
        // from other threads only set the task's fields, which Spectre reads under its own lock on each refresh.
        _render = _console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), autoStart: true, maxValue: 1);
                _started.SetResult(task);
                await _finished.Task.ConfigureAwait(false);
                ctx.Refresh();
            });
    }

    /// <summary>True when standard output is a terminal a live display can redraw.</summary>
    public static bool IsTerminal() =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Shows one step's progress.</summary>
    public void Update(RunProgress progress)
    {
        lock (_gate)
        {
            if (_disposed) return;
            var text = _line.Observe(progress);
            if (_plain is not null)
            {
                _plain.WriteLine(text);
                _plain.Flush();
                return;
            }
            _latest = (text, progress);
            if (_started.Task.IsCompleted) Show(_started.Task.Result);
        }
    }

    // Called under _gate. The bar starts on its own task, so an update that came first is shown once it exists.
    private void Show(ProgressTask task)
    {
        if (_latest is not { } latest) return;
        task.MaxValue = Math.Max(1, latest.Progress.TotalSteps);
        task.Value = Math.Min(latest.Progress.Step, task.MaxValue);
        task.Description = Markup.Escape(latest.Text);
    }

    /// <summary>A status line (loading, evaluating, saving); printed above the live bar on a terminal.</summary>
    public void Message(string text)
    {
        lock (_gate)
        {
            if (_plain is not null)
            {
                _plain.WriteLine(text);
                _plain.Flush();
            }
            else
            {
                _console!.MarkupLine(Markup.Escape(text));
            }
        }
    }

    public void Dispose()
    {
        if (_render is not null) _started.Task.Wait(TimeSpan.FromSeconds(5));
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            if (_started.Task.IsCompleted) Show(_started.Task.Result);
        }
        _finished.TrySetResult();
        // Let the live display draw its last frame and give the cursor back before anything else prints.
        try
        {
            _render?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // A display that failed to draw costs only the picture; the run's results are in the metrics log.
        }
    }
}
