using System.Security.Cryptography;
using System.Text.Json;

namespace Hpt.Actors.Checkpoints;

/// <summary>
/// Checkpoint folders under one directory: `step-00000042/` with its files and a manifest of their checksums.
/// A checkpoint is written into a temporary folder, flushed, and renamed into place, so a crash leaves either the
/// whole checkpoint or none; loading verifies every checksum and falls back to an older checkpoint, with a
/// warning, when the newest is corrupt or truncated. Keeps the newest <c>keep</c>, and step 0 (the base model).
/// <paramref name="companions"/>, when given, adds files beside every checkpoint's own (the policy's config.json and
/// tokenizer files, which make each checkpoint a Hugging Face folder that <c>hpt.model.path</c> can load).
/// </summary>
/// <param name="runId">The run these checkpoints belong to: written into each manifest, and a checkpoint of another run
/// found here (copied in by hand) is refused rather than trained on.</param>
public sealed class CheckpointStore(string directory, int keep, Action<string>? warn = null, Action<string>? companions = null,
    string? runId = null)
{
    public const int Format = 1;
    private const string ManifestName = "manifest.json";
    private const string TempSuffix = ".partial";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>Writes a checkpoint: <paramref name="writeFiles"/> fills the (temporary) folder it is given.</summary>
    public CheckpointManifest Save(long step, long policyVersion, string configHash, Action<string> writeFiles)
    {
        var final = Path.Combine(Directory, FolderName(step));
        var temp = final + TempSuffix;
        try
        {
            return Write(step, policyVersion, configHash, writeFiles, final, temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk leaves a partial folder: remove it (the older checkpoints stay as they were) and say where.
            try
            {
                if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, recursive: true);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                warn?.Invoke($"cannot remove the partial checkpoint {temp}: {cleanup.Message}");
            }
            throw new IOException($"cannot write the checkpoint of step {step} to {final}: {e.Message}", e);
        }
    }

    private CheckpointManifest Write(long step, long policyVersion, string configHash, Action<string> writeFiles, string final, string temp)
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, recursive: true);
        System.IO.Directory.CreateDirectory(temp);

        writeFiles(temp);
        companions?.Invoke(temp);
        var files = new SortedDictionary<string, CheckpointFile>(StringComparer.Ordinal);
        foreach (var path in System.IO.Directory.GetFiles(temp))
        {
            FlushToDisk(path);
            files[Path.GetFileName(path)] = new CheckpointFile(new FileInfo(path).Length, Sha256(path));
        }
        var manifest = new CheckpointManifest(Format, step, policyVersion, configHash, DateTime.UtcNow, files) { RunId = runId };
        var manifestPath = Path.Combine(temp, ManifestName);
        File.WriteAllBytes(manifestPath, JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
        FlushToDisk(manifestPath);

        if (System.IO.Directory.Exists(final)) System.IO.Directory.Delete(final, recursive: true);
        System.IO.Directory.Move(temp, final);
        Prune();
        return manifest;
    }

    /// <summary>
    /// The newest checkpoint of a step at most <paramref name="maxStep"/> whose files all match their manifest, or
    /// null when there is none. (A checkpoint newer than the journal's last step belongs to a step whose completion
    /// was never journaled: that step is trained again and its checkpoint rewritten.)
    /// </summary>
    public LoadedCheckpoint? LoadLatest(long maxStep = long.MaxValue)
    {
        foreach (var folder in CompleteFolders().Reverse())
        {
            var problem = Verify(folder, out var manifest);
            if (problem is null && runId is not null && manifest!.RunId is { } owner && owner != runId)
                throw new Hosting.IncurableException(
                    $"checkpoint {folder} belongs to run '{owner}', not to this run '{runId}' (hpt.run.id): remove it, or resume with hpt.run.id = {owner}");
            if (problem is null && manifest!.Step > maxStep) continue;
            if (problem is null) return new LoadedCheckpoint(folder, manifest!);
            warn?.Invoke($"checkpoint {Path.GetFileName(folder)} is unusable ({problem}); falling back to the previous one");
        }
        return null;
    }

    /// <summary>Why a checkpoint folder cannot be used, or null when it is intact.</summary>
    public static string? Verify(string folder, out CheckpointManifest? manifest)
    {
        manifest = null;
        var manifestPath = Path.Combine(folder, ManifestName);
        if (!File.Exists(manifestPath)) return "no manifest";
        try
        {
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllBytes(manifestPath));
        }
        catch (JsonException e)
        {
            return $"unreadable manifest: {e.Message}";
        }
        if (manifest is null) return "empty manifest";
        if (manifest.Format > Format) return $"format {manifest.Format} is newer than this build's {Format}";
        if (manifest.Files is null || manifest.Files.Count == 0) return "the manifest has no file list";
        foreach (var (name, expected) in manifest.Files)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path)) return $"{name} is missing";
            var length = new FileInfo(path).Length;
            if (length != expected.Bytes) return $"{name} has {length} bytes, expected {expected.Bytes} (truncated?)";
            if (Sha256(path) != expected.Sha256) return $"{name} fails its checksum";
        }
        return null;
    }

    private IEnumerable<string> CompleteFolders()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        return System.IO.Directory.GetDirectories(Directory, "step-*")
            .Where(d => !d.EndsWith(TempSuffix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }

    private void Prune()
    {
        // Step 0 is the run's starting point (the base model): it is never pruned.
        foreach (var stale in CompleteFolders().Where(f => !f.EndsWith(FolderName(0), StringComparison.Ordinal)).SkipLast(Math.Max(1, keep)))
            System.IO.Directory.Delete(stale, recursive: true);
        foreach (var partial in System.IO.Directory.GetDirectories(Directory, "*" + TempSuffix))
            System.IO.Directory.Delete(partial, recursive: true);
    }

    private static string FolderName(long step) => $"step-{step:D8}";

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void FlushToDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }
}

/// <summary>A verified checkpoint folder and its manifest.</summary>
public sealed record LoadedCheckpoint(string Folder, CheckpointManifest Manifest)
{
    public string PathOf(string file) => System.IO.Path.Combine(Folder, file);
}
