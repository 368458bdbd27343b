using Hpt.Training.Engines;
using System.Globalization;
using System.Security.Cryptography;

namespace Hpt.Actors.WeightPublishing;

/// <summary>
/// The shared weights directory (a network file system every node mounts, or one local folder when all nodes run on
/// one machine). The learner publishes each policy version as `policy-v00000012.safetensors` plus a `.sha256`
/// sidecar, both written to a temporary name and renamed into place, so a reader sees a complete file or none.
/// Only the newest <c>keep</c> versions are kept. Readers verify the SHA-256 before they use a byte of it.
/// </summary>
public sealed class SharedWeightStore
{
    private const string Prefix = "policy-v";
    private const string Extension = ".safetensors";
    private const string ChecksumExtension = ".sha256";

    public SharedWeightStore(string directory, int keep)
    {
        if (keep < 1) throw new ArgumentOutOfRangeException(nameof(keep), keep, "keep at least one weight file");
        Directory = Path.GetFullPath(directory);
        Keep = keep;
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }
    public int Keep { get; }

    public static string FileNameOf(long version) => $"{Prefix}{version.ToString("D8", CultureInfo.InvariantCulture)}{Extension}";

    public string PathOf(WeightFile file)
    {
        WeightFile.CheckName(file.FileName);
        return Path.Combine(Directory, file.FileName);
    }

    /// <summary>
    /// Writes version <paramref name="version"/> through <paramref name="write"/> (which gets a temporary path),
    /// checksums it and renames it into place; then prunes old versions.
    /// </summary>
    public WeightFile Publish(long version, Action<string> write)
    {
        var name = FileNameOf(version);
        var final = Path.Combine(Directory, name);
        var temp = Path.Combine(Directory, $".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(temp);
            string sha;
            long bytes;
            using (var stream = File.OpenRead(temp))
            {
                bytes = stream.Length;
                sha = Convert.ToHexStringLower(SHA256.HashData(stream));
            }
            // The checksum lands first: whoever sees the weights file also finds its checksum.
            WriteAtomically(Path.ChangeExtension(final, ChecksumExtension), $"{sha}  {name}\n");
            File.Move(temp, final, overwrite: true);
            Prune();
            return new WeightFile(version, name, sha, bytes);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Reads the file and checks it against its announced checksum; throws when it is missing or differs.</summary>
    public byte[] ReadVerified(WeightFile file)
    {
        var bytes = File.ReadAllBytes(PathOf(file));
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.Equals(sha, file.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException(
                $"weight file {file.FileName} has SHA-256 {sha}, announced {file.Sha256} ({bytes.Length} of {file.Bytes} bytes): refusing to load it");
        return bytes;
    }

    /// <summary>The newest complete version on disk (with its sidecar checksum), or null.</summary>
    public WeightFile? Latest()
    {
        foreach (var version in Versions().OrderDescending())
        {
            var name = FileNameOf(version);
            var path = Path.Combine(Directory, name);
            var checksum = Path.ChangeExtension(path, ChecksumExtension);
            try
            {
                var sha = File.ReadAllText(checksum).Split(' ', 2)[0].Trim();
                return new WeightFile(version, name, sha, new FileInfo(path).Length);
            }
            catch (IOException)
            {
                // pruned between listing and reading: try the next one
            }
        }
        return null;
    }

    /// <summary>Versions with a weights file on disk, in no particular order.</summary>
    public IEnumerable<long> Versions()
    {
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, $"{Prefix}*{Extension}"))
        {
            var stem = Path.GetFileNameWithoutExtension(path)[Prefix.Length..];
            if (long.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out var version)) yield return version;
        }
    }

    private void Prune()
    {
        foreach (var version in Versions().OrderDescending().Skip(Keep).ToArray())
        {
            var path = Path.Combine(Directory, FileNameOf(version));
            TryDelete(path);
            TryDelete(Path.ChangeExtension(path, ChecksumExtension));
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { /* a reader on a file system that locks open files; the next publish retries */ }
        catch (UnauthorizedAccessException) { }
    }

    private static void WriteAtomically(string path, string text)
    {
        var temp = $"{Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path))}.{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
