using System.Globalization;
using Hpt.Actors.Protocol;

namespace Hpt.Cli.Reporting;

/// <summary>
/// Turns a stream of <see cref="RunProgress"/> into the numbers a person watches: throughput and time left.
/// Rates count only the steps this process trained, so a resumed run does not claim the earlier steps' speed.
/// Not thread-safe; <see cref="ProgressView"/> serializes calls.
/// </summary>
public sealed class ProgressLine
{
    private long? _startStep;
    private double _samples;

    /// <summary>Samples per second since this process started, or null before a full step's time is known.</summary>
    public double? SamplesPerSecond { get; private set; }

    /// <summary>Estimated time to the last step, or null when it cannot be estimated yet.</summary>
    public TimeSpan? Eta { get; private set; }

    /// <summary>Takes one progress report and returns the plain status line for it.</summary>
    public string Observe(RunProgress p)
    {
        // The first report is for a step this process trained, so the process started one step before it.
        _startStep ??= p.Step - 1;
        _samples += p.Metrics.Samples;
        var stepsDone = p.Step - _startStep.Value;
        SamplesPerSecond = p.ElapsedSeconds > 0 ? _samples / p.ElapsedSeconds : null;
        Eta = stepsDone > 0 && p.ElapsedSeconds > 0
            ? TimeSpan.FromSeconds(p.ElapsedSeconds / stepsDone * Math.Max(0, p.TotalSteps - p.Step))
            : null;
        return Format(p);
    }

    private string Format(RunProgress p)
    {
        var m = p.Metrics;
        var rate = SamplesPerSecond is { } r ? Number(r, "0.0") : "-";
        var eta = Eta is { } e ? Duration(e) : "-";
        var skipped = m.UpdateSkipped ? "  (update skipped)" : "";
        return Invariant($"step {p.Step}/{p.TotalSteps}  reward {Number(m.RewardMean, "0.00")}  ")
            + $"offline {Number(m.OfflineSampleRatio, "0.00")}  entropy {Number(m.Entropy, "0.00")}  "
            + $"len {Number(m.ResponseLengthMean, "0.0")}  {rate} samples/s  eta {eta}{skipped}";
    }

    /// <summary>A number for a status line; NaN and infinities print as "-".</summary>
    public static string Number(double value, string format) =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>Compact duration: 42s, 1m20s, 2h05m.</summary>
    public static string Duration(TimeSpan t)
    {
        var seconds = (long)Math.Round(t.TotalSeconds);
        if (seconds < 60) return string.Create(CultureInfo.InvariantCulture, $"{seconds}s");
        if (seconds < 3600) return string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m{seconds % 60:00}s");
        return string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}h{seconds % 3600 / 60:00}m");
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
