using System.Globalization;
using System.Text.Json;
using Hpt.Actors.Checkpoints;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;

namespace Hpt.Cli.Reporting;

/// <summary>
/// `hpt status`: the run's state read from its directory while it runs: status.json (the coordinator's report: step,
/// pace, in-flight work per worker), the journal's size and the newest checkpoint. Reads files only, so it works from
/// any process (or machine) that sees the run directory, and never disturbs the run.
/// </summary>
public static class RunStatusView
{
    /// <summary>A report older than this, on an unfinished run, means the run is not running (or is stuck).</summary>
    public static readonly TimeSpan Stale = TimeSpan.FromSeconds(60);

    public sealed record Snapshot(PipelineReport Report, long? JournalBytes, string? NewestCheckpoint, DateTime? CheckpointUtc);

    public static Snapshot Read(string runDir)
    {
        var dir = new RunDirectory(runDir);
        if (!Directory.Exists(dir.Path)) throw new DirectoryNotFoundException($"run directory not found: {dir.Path}");
        if (!File.Exists(dir.StatusFile))
            throw new FileNotFoundException($"{dir.StatusFile} does not exist: the run's pipeline has not started yet " +
                                            "(or it was written by an hpt without `hpt status`)", dir.StatusFile);
        var report = JsonSerializer.Deserialize<PipelineReport>(File.ReadAllBytes(dir.StatusFile), StatusFileWriter.Json)
                     ?? throw new InvalidDataException($"{dir.StatusFile} is empty");
        var journal = new[] { "journal.db", "journal.db-wal", "journal.db-shm" }.Select(f => Path.Combine(dir.Path, f)).Where(File.Exists).ToArray();
        long? journalBytes = journal.Length == 0 ? null : journal.Sum(f => new FileInfo(f).Length);
        var (checkpoint, created) = NewestCheckpoint(dir.Checkpoints);
        return new Snapshot(report, journalBytes, checkpoint, created);
    }

    public static IEnumerable<string> Render(Snapshot s, DateTime nowUtc)
    {
        var r = s.Report;
        var age = nowUtc - r.UpdatedUtc;
        var state = r.Completed ? "complete" : r.Stalled is not null ? "STALLED" : age > Stale ? $"not updated for {Duration(age.TotalSeconds)}: not running, or stuck" : "running";
        yield return $"step {r.Step}/{r.TotalSteps} (policy v{r.PolicyVersion}), {state}; report {Duration(age.TotalSeconds)} old";
        yield return $"pace: last step {Duration(r.LastStepSeconds)}, mean {Duration(r.MeanStepSeconds)} over recent steps, " +
                     $"{Number(r.SamplesPerSecond, "0.0")} samples/s, ETA {Duration(r.EtaSeconds)}; offline ratio {Number(r.OfflineDataRatio, "0.00")}; " +
                     $"no step for {Duration(r.SecondsSinceLastStep)}";
        yield return $"coordinator: {r.Accepted} prompts accepted of capacity {r.Capacity}, {r.WaitingToBeIssued} waiting to be issued, " +
                     $"{r.IdleWorkers} idle worker(s); gate/learner: {r.VerifiedWaitingForLearner} verified group(s) waiting for the step";
        if (r.Workers.Count == 0) yield return "workers: none registered";
        foreach (var w in r.Workers)
            yield return w.Prompts.Count == 0
                ? $"worker {w.WorkerId} (v{w.PolicyVersion}): idle or passing its last group to the verifiers"
                : $"worker {w.WorkerId} (v{w.PolicyVersion}): " + string.Join(", ", w.Prompts.Select(p => $"prompt {p.Seq} attempt {p.Attempt} for {Duration(p.Seconds)}"));
        yield return s.JournalBytes is { } bytes ? $"journal: {bytes / 1024.0:0} KiB (journal.db with its WAL)" : "journal: not in the run directory (PostgreSQL or memory)";
        yield return s.NewestCheckpoint is null ? "newest checkpoint: none" : $"newest checkpoint: {s.NewestCheckpoint} ({s.CheckpointUtc:yyyy-MM-dd HH:mm:ss} UTC)";
        if (r.Stalled is not null) yield return $"stalled: {r.Stalled}";
    }

    private static (string? Name, DateTime? Created) NewestCheckpoint(string directory)
    {
        if (!Directory.Exists(directory)) return (null, null);
        foreach (var folder in Directory.GetDirectories(directory, "step-*").Where(d => !d.EndsWith(".partial", StringComparison.Ordinal)).OrderDescending(StringComparer.Ordinal))
        {
            var manifest = Path.Combine(folder, "manifest.json");
            if (!File.Exists(manifest)) continue;
            try
            {
                var m = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllBytes(manifest));
                if (m is not null) return (Path.GetFileName(folder), m.CreatedUtc);
            }
            catch (JsonException)
            {
                // A manifest being replaced right now; the next one down is complete.
            }
        }
        return (null, null);
    }

    private static string Number(double? value, string format) => value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string Duration(double? seconds)
    {
        if (seconds is not { } s || !double.IsFinite(s)) return "n/a";
        if (s < 60) return s.ToString(s < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + "s";
        var t = TimeSpan.FromSeconds(s);
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : $"{t.Minutes}m{t.Seconds:D2}s";
    }
}
