using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Hpt.Actors.Hosting;

/// <summary>
/// A data file's identity for run.json: its size and SHA-256. Computed once per file version in a process (a run asks
/// several times), so a multi-gigabyte file is read once.
/// </summary>
public static class DataFileFingerprint
{
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), string> Cache = new();

    public static string Of(string path)
    {
        var info = new FileInfo(path);
        return Cache.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc), key =>
        {
            using var stream = File.OpenRead(key.Path);
            return $"{key.Length} bytes, sha256 {Convert.ToHexStringLower(SHA256.HashData(stream))}";
        });
    }
}
