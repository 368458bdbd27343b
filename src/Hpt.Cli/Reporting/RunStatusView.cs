using System.Globalization;
using System.Text.Json;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;

namespace Hpt.Cli.Reporting;

/// <summary>
/// `hpt status`: the run's state while it runs: the coordinator's report (step, pace, in-flight work per worker), the
/// journal's size and the newest checkpoint, read from the run directory (status.json) or asked of a running
/// cluster's learner (<see cref="ClusterStatus"/>, which adds the membership). Both only read, so neither disturbs the run.
/// </summary>
public static class RunStatusView
{
    /// <summary>A report older than this, on an unfinished run, means the run is not running (or is stuck).</summary>
    public static readonly TimeSpan Stale = TimeSpan.FromSeconds(60);

    /// <summary>What `hpt status` prints; <paramref name="Members"/> and <paramref name="LearnerNode"/> only from a cluster.</summary>
    public sealed record Snapshot(PipelineReport Report, RunFilesReport Files, IReadOnlyList<MemberReport>? Members = null, string? LearnerNode = null)
    {
        public static Snapshot Of(ClusterStatus status) => new(status.Report, status.Files, status.Members, status.LearnerNode);
    }

    public static Snapshot Read(string runDir)
    {
        var dir = new RunDirectory(runDir);
        if (!Directory.Exists(dir.Path)) throw new DirectoryNotFoundException($"run directory not found: {dir.Path}");
        if (!File.Exists(dir.StatusFile))
            throw new FileNotFoundException($"{dir.StatusFile} does not exist: the run's pipeline has not started yet " +
                                            "(or it was written by an hpt without `hpt status`)", dir.StatusFile);
        var report = JsonSerializer.Deserialize<PipelineReport>(File.ReadAllBytes(dir.StatusFile), StatusFileWriter.Json)
                     ?? throw new InvalidDataException($"{dir.StatusFile} is empty");
        return new Snapshot(report, RunFiles.Read(dir));
    }

    public static IEnumerable<string> Render(Snapshot s, DateTime nowUtc)
    {
        var r = s.Report;
        var age = nowUtc - r.UpdatedUtc;
        var state = r.Completed ? "complete" : r.Stalled is not null ? "STALLED" : age > Stale ? $"not updated for {Duration(age.TotalSeconds)}: not running, or stuck" : "running";
        yield return $"step {r.PolicyVersion}/{r.TotalSteps} (policy v{r.PolicyVersion}), {state}; report {Duration(age.TotalSeconds)} old";
        yield return $"pace: last step {Duration(r.LastStepSeconds)}, mean {Duration(r.MeanStepSeconds)} over recent steps, " +
                     $"{Number(r.SamplesPerSecond, "0.0")} samples/s, ETA {Duration(r.EtaSeconds)}; offline ratio {Number(r.OfflineDataRatio, "0.00")}; " +
                     $"no step for {Duration(r.SecondsSinceLastStep)}";
        yield return $"coordinator: {r.Accepted} prompts accepted of capacity {r.Capacity}, {r.WaitingToBeIssued} waiting to be issued, " +
                     $"{r.IdleWorkers} idle worker(s); gate/learner: {r.VerifiedWaitingForLearner} verified group(s) waiting for the step";
        if (s.Members is { } members)
        {
            if (members.Count == 0) yield return "nodes: none (the learner sees no cluster)";
            foreach (var m in members) yield return Node(m, r.Workers);
        }
        if (r.Workers.Count == 0) yield return "workers: none registered";
        foreach (var w in r.Workers)
            yield return w.Prompts.Count == 0
                ? $"worker {w.WorkerId} (v{w.PolicyVersion}): idle or passing its last group to the verifiers"
                : $"worker {w.WorkerId} (v{w.PolicyVersion}): " + string.Join(", ", w.Prompts.Select(p => $"prompt {p.Seq} attempt {p.Attempt} for {Duration(p.Seconds)}"));
        var f = s.Files;
        yield return f.JournalBytes is { } bytes ? $"journal: {bytes / 1024.0:0} KiB (journal.db with its WAL)" : "journal: not in the run directory (PostgreSQL or memory)";
        yield return f.NewestCheckpoint is null ? "newest checkpoint: none" : $"newest checkpoint: {f.NewestCheckpoint} ({f.CheckpointUtc:yyyy-MM-dd HH:mm:ss} UTC)";
        if (r.Stalled is not null) yield return $"stalled: {r.Stalled}";
    }

    /// <summary>
    /// One member: address, roles, status, and on rollout members their workers (worker ids start with the node's
    /// host:port) with the prompts in flight on them as the coordinator knows it.
    /// </summary>
    private static string Node(MemberReport m, IReadOnlyList<WorkerReport> workers)
    {
        var line = $"node {m.Address} [{string.Join(", ", m.Roles)}] {m.Status.ToLowerInvariant()}" +
                   (m.Reachable ? "" : ", UNREACHABLE") + (m.Admitted ? "" : ", does not match the learner (no work)") +
                   (m.HostsLearner ? ", hosts the learner" : "");
        var hostPort = m.Address[(m.Address.IndexOf('@') + 1)..] + "/";
        var own = workers.Where(w => w.WorkerId.StartsWith(hostPort, StringComparison.Ordinal)).ToArray();
        if (!m.Roles.Contains("rollout") && own.Length == 0) return line;
        return line + $": {own.Length} worker(s), {own.Sum(w => w.Prompts.Count)} prompt(s) in flight" +
               (own.Length == 0 ? "" : " (" + string.Join(", ", own.Select(w => $"{w.WorkerId[hostPort.Length..]} {w.Prompts.Count}")) + ")");
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
