using Hpt.Model;

namespace Hpt.Benchmarks;

/// <summary>
/// The machine's load while a benchmark runs: every benchmark prints it, because figures from a shared machine are
/// only comparable as ratios taken in one run.
/// </summary>
public static class MachineLoad
{
    /// <summary>The 1-minute load average (Linux /proc/loadavg), or null where there is none.</summary>
    public static double? OneMinute()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
