using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hpt.Actors.Protocol;
using TorchSharp;
using TorchSharp.Modules;

namespace Hpt.Cli.Reporting;

/// <summary>
/// The per-run metrics record: one JSON line per step in <c>&lt;runDir&gt;/metrics.jsonl</c> and TensorBoard
/// scalars in <c>&lt;runDir&gt;/tensorboard</c>. Safe to call from any thread (an event-stream subscriber).
/// </summary>
/// <remarks>
/// The JSONL file is opened for append, so a resumed run continues the same file. A resumed run may redo steps
/// after its last checkpoint, so the file can hold a step twice; <see cref="ReadMetrics"/> keeps the last line.
/// </remarks>
public sealed class MetricsLog : IDisposable
{
    public const string FileName = "metrics.jsonl";
    public const string TensorBoardFolder = "tensorboard";

    // Web defaults give camelCase names. NaN is legal in a metric (entropy of an empty batch), and the default
    // options throw on it, so named floating-point literals are allowed.
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    private readonly object _gate = new();
    private readonly StreamWriter _jsonl;
    private readonly SummaryWriter? _tensorBoard;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _lastElapsed;
    private bool _disposed;

    /// <param name="runDir">The run directory; created when missing.</param>
    /// <param name="tensorBoard">False to write only the JSONL file.</param>
    public MetricsLog(string runDir, bool tensorBoard = true)
    {
        Directory.CreateDirectory(runDir);
        FilePath = Path.Combine(runDir, FileName);
        var stream = new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        // A crash mid-write leaves a torn line without its newline; start on a fresh line so the next record is
        // not glued onto the fragment (the reader then skips just the fragment).
        if (stream.Length > 0)
        {
            stream.Seek(-1, SeekOrigin.End);
            var last = stream.ReadByte();
            stream.Seek(0, SeekOrigin.End);
            if (last != '\n') stream.WriteByte((byte)'\n');
        }
        _jsonl = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
        if (tensorBoard)
        {
            TensorBoardDir = Path.Combine(runDir, TensorBoardFolder);
            Directory.CreateDirectory(TensorBoardDir);
            _tensorBoard = torch.utils.tensorboard.SummaryWriter(TensorBoardDir);
        }
    }

    /// <summary>Full path of the metrics.jsonl file.</summary>
    public string FilePath { get; }

    /// <summary>The TensorBoard log directory, or null when TensorBoard output is off.</summary>
    public string? TensorBoardDir { get; }

    /// <summary>Records one step; samples/s comes from the progress clock.</summary>
    public void Append(RunProgress progress)
    {
        lock (_gate)
        {
            var seconds = progress.ElapsedSeconds - _lastElapsed;
            _lastElapsed = progress.ElapsedSeconds;
            Write(progress.Metrics, seconds);
        }
    }

    /// <summary>Records one step; samples/s comes from this log's own clock between calls.</summary>
    public void Append(StepMetrics metrics)
    {
        lock (_gate)
        {
            var now = _clock.Elapsed.TotalSeconds;
            var seconds = now - _lastElapsed;
            _lastElapsed = now;
            Write(metrics, seconds);
        }
    }

    private void Write(StepMetrics metrics, double seconds)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _jsonl.WriteLine(JsonSerializer.Serialize(metrics, Json));
        // Flushed per line so that a crashed process loses no finished step.
        _jsonl.Flush();
        if (_tensorBoard is null) return;
        double? rate = seconds > 0 ? metrics.Samples / seconds : null;
        // TorchSharp's writer takes an int step and appends each record to the event file at once.
        var step = (int)Math.Clamp(metrics.Step, 0, int.MaxValue);
        foreach (var (tag, value) in TensorBoardScalars.From(metrics, rate))
            _tensorBoard.add_scalar(tag, (float)value, step);
    }

    /// <summary>
    /// Reads <c>&lt;runDir&gt;/metrics.jsonl</c>, ordered by step, keeping the last line for each step. Lines that do
    /// not parse (the torn last line of a crashed run) are skipped and reported through <paramref name="warn"/>
    /// (standard error when null). A missing file reads as no steps.
    /// </summary>
    public static IReadOnlyList<StepMetrics> ReadMetrics(string runDir, Action<string>? warn = null)
    {
        warn ??= message => Console.Error.WriteLine(message);
        var path = Path.Combine(runDir, FileName);
        if (!File.Exists(path)) return [];
        var byStep = new Dictionary<long, StepMetrics>();
        var lineNumber = 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            StepMetrics? metrics;
            try
            {
                metrics = JsonSerializer.Deserialize<StepMetrics>(line, Json);
            }
            catch (JsonException e)
            {
                warn($"warning: {path}:{lineNumber}: skipped a line that is not a whole metrics record ({e.Message})");
                continue;
            }
            if (metrics is null) continue;
            byStep[metrics.Step] = metrics;
        }
        return byStep.Values.OrderBy(m => m.Step).ToList();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            // SummaryWriter is not IDisposable and writes each record at once, so only the JSONL file is closed.
            _jsonl.Dispose();
        }
    }
}
