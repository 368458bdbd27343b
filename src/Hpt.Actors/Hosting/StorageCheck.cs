using System.Globalization;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Hosting;

/// <summary>
/// A directory the run writes (the run directory: journal, checkpoints, metrics; the weights directory) is checked at
/// start, before any work: it can be created, a file can be written in it, and its file system has at least
/// hpt.run.min-free-space free, so a full or read-only disk is named up front instead of failing a checkpoint halfway.
/// </summary>
public static class StorageCheck
{
    public const string MinFreeSpaceKey = "hpt.run.min-free-space";

    /// <summary>Throws a <see cref="SettingsException"/> naming <paramref name="key"/>, the directory and the figure.</summary>
    public static void Writable(string key, string directory, long minimumFreeBytes)
    {
        var path = Path.GetFullPath(directory);
        try
        {
            Directory.CreateDirectory(path);
            // A probe file, not the permission bits: ACLs, read-only mounts and quotas all show up here.
            var probe = Path.Combine(path, $".hpt-write-check-{Environment.ProcessId}");
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SettingsException(key, $"the directory {path} is not writable: {e.Message}");
        }
        var free = FreeBytes(path);
        if (free < minimumFreeBytes)
            throw new SettingsException(key, $"the directory {path} has {Describe(free)} free, less than {MinFreeSpaceKey} = " +
                                             $"{Describe(minimumFreeBytes)}: a checkpoint could fail half-written; free some space, " +
                                             $"use another directory, or lower {MinFreeSpaceKey}");
    }

    /// <summary>Free bytes for this process on the file system that holds <paramref name="directory"/> (statvfs of the path).</summary>
    public static long FreeBytes(string directory) => new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;

    public static string Describe(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString(CultureInfo.InvariantCulture) + " bytes",
    };
}
