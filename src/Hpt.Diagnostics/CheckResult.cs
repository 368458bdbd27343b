using System.Globalization;
using System.Text.Json;
using Hpt.Model;

namespace Hpt.Diagnostics;

public enum CheckStatus { Pass, Fail, Skipped }

/// <summary>
/// The outcome of one <see cref="GpuCheck"/> check: a status, the device it ran on, a one-line detail (the loader trace
/// for a failed CUDA initialisation), the measured figures (numbers only) and descriptive facts (strings).
/// </summary>
public sealed record CheckResult(
    string Name,
    CheckStatus Status,
    string Device,
    string Detail,
    double Seconds,
    IReadOnlyDictionary<string, double> Figures,
    IReadOnlyDictionary<string, string> Info)
{
    public bool Failed => Status == CheckStatus.Fail;

    public static CheckResult Skipped(string name, string device, string why) =>
        new(name, CheckStatus.Skipped, device, "skipped: " + why, 0, new Dictionary<string, double>(), new Dictionary<string, string>());

    /// <summary>A readable line: <c>[pass] name (device) detail (1.23 s)</c>; multi-line details (traces) follow indented.</summary>
    public string ToLine()
    {
        var tag = Status switch { CheckStatus.Pass => "pass", CheckStatus.Fail => "FAIL", _ => "skip" };
        var lines = Detail.Split('\n');
        var head = $"[{tag}] {Name,-18} {Device,-7} {lines[0]}";
        if (Status != CheckStatus.Skipped) head += string.Create(CultureInfo.InvariantCulture, $" ({Seconds:F2} s)");
        return lines.Length == 1 ? head : head + "\n" + string.Join("\n", lines.Skip(1).Select(l => "       " + l));
    }

    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("name", Name);
        w.WriteString("status", Status.ToString().ToLowerInvariant());
        w.WriteString("device", Device);
        w.WriteString("detail", Detail);
        w.WriteNumber("seconds", Math.Round(Seconds, 3));
        w.WriteStartObject("figures");
        foreach (var (k, v) in Figures)
        {
            if (double.IsFinite(v)) w.WriteNumber(k, v);
            else w.WriteString(k, v.ToString(CultureInfo.InvariantCulture)); // NaN/Infinity are not JSON numbers
        }
        w.WriteEndObject();
        w.WriteStartObject("info");
        foreach (var (k, v) in Info) w.WriteString(k, v);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
