using System.Text.Json;
using Hpt.Actors.Checkpoints;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Hosting;

/// <summary>
/// What `hpt status` reports about a run directory besides status.json: the SQLite journal's size (with its WAL) and
/// the newest complete checkpoint. Reads files only, so it never disturbs the run that writes them.
/// </summary>
public static class RunFiles
{
    private static readonly string[] JournalFiles = ["journal.db", "journal.db-wal", "journal.db-shm"];

    public static RunFilesReport Read(RunDirectory dir)
    {
        var journal = JournalFiles.Select(f => System.IO.Path.Combine(dir.Path, f)).Where(File.Exists).ToArray();
        long? journalBytes = journal.Length == 0 ? null : journal.Sum(Length);
        var (checkpoint, created) = NewestCheckpoint(dir.Checkpoints);
        return new RunFilesReport(journalBytes, checkpoint, created);
    }

    private static long Length(string file)
    {
        try
        {
            return new FileInfo(file).Length;
        }
        catch (FileNotFoundException)
        {
            return 0; // the WAL or shm file was checkpointed away between the listing and now
        }
    }

    private static (string? Name, DateTime? Created) NewestCheckpoint(string directory)
    {
        if (!Directory.Exists(directory)) return (null, null);
        foreach (var folder in Directory.GetDirectories(directory, "step-*").Where(d => !d.EndsWith(".partial", StringComparison.Ordinal)).OrderDescending(StringComparer.Ordinal))
        {
            var manifest = System.IO.Path.Combine(folder, "manifest.json");
            try
            {
                if (!File.Exists(manifest)) continue;
                var m = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllBytes(manifest));
                if (m is not null) return (System.IO.Path.GetFileName(folder), m.CreatedUtc);
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                // A manifest being replaced or a folder being deleted (keep-last) right now; the next one down is complete.
            }
        }
        return (null, null);
    }
}
