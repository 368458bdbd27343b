using System.Globalization;

namespace Hpt.Model.Memory;

/// <summary>
/// The process's resident memory from Linux's /proc (TorchSharp's CPU allocator exposes no peak counter): current
/// (VmRSS), high-water mark (VmHWM), and a reset of the high-water mark (writing 5 to /proc/self/clear_refs), so a
/// measurement can start from the memory the process holds now. Also the machine's available memory (MemAvailable).
/// </summary>
public static class ProcessMemory
{
    public static long ResidentBytes() => StatusKilobytes("VmRSS:") * 1024;

    public static long PeakResidentBytes() => StatusKilobytes("VmHWM:") * 1024;

    public static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException("cannot reset the RSS high-water mark (/proc/self/clear_refs): " + e.Message, e);
        }
    }

    /// <summary>MemAvailable from /proc/meminfo, or null where there is none (not Linux).</summary>
    public static long? AvailableBytes()
    {
        if (!File.Exists("/proc/meminfo")) return null;
        return Kilobytes(File.ReadLines("/proc/meminfo"), "MemAvailable:", "/proc/meminfo") * 1024;
    }

    private static long StatusKilobytes(string field)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) throw new PlatformNotSupportedException($"{path} not found: process memory figures need Linux");
        return Kilobytes(File.ReadLines(path), field, path);
    }

    private static long Kilobytes(IEnumerable<string> lines, string field, string source)
    {
        foreach (var line in lines)
        {
            if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
            var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], CultureInfo.InvariantCulture);
        }
        throw new FormatException($"{field} not found in {source}");
    }
}
