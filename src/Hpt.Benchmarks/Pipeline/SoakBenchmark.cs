using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using Akka.Configuration;
using Hpt.Actors.Hosting;
using Hpt.Actors.Persistence;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Benchmarks;
using Hpt.Tasks.Evaluation;
using Microsoft.Data.Sqlite;

namespace Hpt.Benchmarks;

/// <summary>
/// <c>hpt bench soak</c>: one long run of the real pipeline (<see cref="TrainingRun"/>: SQLite journal, snapshots,
/// checkpoints) on the smallest model and task, measured early (step <see cref="SoakOptions.EarlyStep"/>) and at the end:
/// journal size (the pages in use, and the files on disk), process RSS, and the time a resume spends recovering the
/// coordinator (a fresh ActorSystem loads the newest snapshot and replays the events after it, as a restarted run
/// does). The journal is copied (SQLite online backup) at both points and both copies are recovered side by side after
/// the run, interleaved, so load and JIT treat them alike. Bounded state means the journal, the RSS and the recovery
/// time do not grow with the step count.
/// </summary>
public static class SoakBenchmark
{
    public static async Task<SoakResult> RunAsync(SoakOptions options, TextWriter log, CancellationToken cancel = default)
    {
        options.Validate();
        var runDir = Directory.CreateTempSubdirectory("hpt-soak-").FullName;
        try
        {
            var config = HptConfig.Load(overrides: options.Settings(runDir));
            var persistence = PersistenceSettings.Create(config);
            var pipeline = PipelineSettings.Create(config);
            log.WriteLine($"soak: {options.Steps} steps x {pipeline.PromptsPerStep} prompts x {pipeline.SamplesPerPrompt} samples, tiny model " +
                          $"(hidden {options.Hidden}, {options.Layers} layer(s)), max {options.MaxNewTokens} new tokens, " +
                          $"snapshot every {persistence.SnapshotEverySteps} steps, load average {Format(MachineLoad.OneMinute())}");
            var copies = Directory.CreateDirectory(Path.Combine(runDir, "copies")).FullName;
            var observer = new Probe(options, runDir, copies, log);
            var clock = Stopwatch.StartNew();
            var outcome = await TrainingRun.RunAsync(config, observer, cancel);
            if (!outcome.Completed) throw new InvalidOperationException($"the soak run stopped at step {outcome.Steps}");
            var wall = clock.Elapsed.TotalSeconds;
            // The final figures: after the last step, once every write and deletion has settled.
            var lateFigures = observer.Measure(outcome.Steps);
            var earlyFigures = observer.Early ?? throw new InvalidOperationException($"the run never reached step {options.EarlyStep}");
            var (earlySeconds, lateSeconds, earlyEvents, lateEvents) = RecoveryTimes(persistence, observer.CopyOf(options.EarlyStep),
                observer.CopyOf(outcome.Steps), options.RunId, options.ResumeRepeats);
            var early = earlyFigures with { ResumeSeconds = earlySeconds, ReplayedEvents = earlyEvents };
            var late = lateFigures with { ResumeSeconds = lateSeconds, ReplayedEvents = lateEvents };
            log.WriteLine(early.Describe());
            log.WriteLine(late.Describe());
            var result = new SoakResult(options.Steps, pipeline.PromptsPerStep, pipeline.SamplesPerPrompt, persistence.SnapshotEverySteps,
                early, late, wall, MachineLoad.OneMinute());
            foreach (var line in result.Describe()) log.WriteLine(line);
            return result;
        }
        finally
        {
            Directory.Delete(runDir, recursive: true);
        }
    }

    /// <summary>Size of the SQLite journal: the database, its write-ahead log and shared-memory index.</summary>
    internal static long JournalBytes(string runDir) =>
        new[] { "journal.db", "journal.db-wal", "journal.db-shm" }
            .Select(f => Path.Combine(runDir, f)).Where(File.Exists).Sum(f => new FileInfo(f).Length);

    /// <summary>Bytes of the journal's pages in use (free pages left by deletions are reused, so they do not count).</summary>
    internal static long JournalLiveBytes(string runDir)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(runDir, "journal.db")};Mode=ReadOnly");
        connection.Open();
        long Pragma(string name)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA {name};";
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        return (Pragma("page_count") - Pragma("freelist_count")) * Pragma("page_size");
    }

    /// <summary>A consistent copy of the live journal (SQLite's online backup), to recover later.</summary>
    internal static void CopyJournal(string runDir, string destinationDir)
    {
        Directory.CreateDirectory(destinationDir);
        using var source = new SqliteConnection($"Data Source={Path.Combine(runDir, "journal.db")}");
        using var destination = new SqliteConnection($"Data Source={Path.Combine(destinationDir, "journal.db")}");
        source.Open();
        destination.Open();
        source.BackupDatabase(destination);
    }

    /// <summary>
    /// Median recovery times of two journal copies, measured interleaved after one untimed recovery of each (JIT,
    /// linq2db and SQLite start-up would otherwise count against whichever goes first).
    /// </summary>
    internal static (double Early, double Late, int EarlyEvents, int LateEvents) RecoveryTimes(PersistenceSettings persistence,
        string earlyDir, string lateDir, string runId, int repeats)
    {
        Recover(persistence, earlyDir, runId);
        Recover(persistence, lateDir, runId);
        var early = new List<double>();
        var late = new List<double>();
        int earlyEvents = 0, lateEvents = 0;
        for (var i = 0; i < repeats; i++)
        {
            (var e, earlyEvents) = Recover(persistence, earlyDir, runId);
            (var l, lateEvents) = Recover(persistence, lateDir, runId);
            early.Add(e);
            late.Add(l);
        }
        return (Median(early), Median(late), earlyEvents, lateEvents);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static (double Seconds, int Events) Recover(PersistenceSettings persistence, string runDir, string runId)
    {
        var akka = PersistenceConfig.Build(persistence, runDir).WithFallback(ConfigurationFactory.ParseString("akka.loglevel = ERROR"));
        using var system = ActorSystem.Create("soak-resume", akka);
        try
        {
            var clock = Stopwatch.StartNew();
            var view = JournalReader.ReadViewAsync(system, runId, TimeSpan.FromMinutes(5)).GetAwaiter().GetResult();
            return (clock.Elapsed.TotalSeconds, view.Events.Count);
        }
        finally
        {
            system.Terminate().GetAwaiter().GetResult();
        }
    }

    private static string Format(double? load) => load is { } l ? l.ToString("0.00") : "n/a";

    /// <summary>Watches the run's progress and takes the early measurement from the progress thread.</summary>
    private sealed class Probe(SoakOptions options, string runDir, string copies, TextWriter log) : IRunObserver
    {
        public SoakPoint? Early { get; private set; }

        public void Started(string runDirectory) { }

        public void Message(string text) { }

        public void Evaluated(string label, BenchmarkResult result) { }

        public void Progress(RunProgress progress)
        {
            if (progress.Step == options.EarlyStep) Early = Measure(progress.Step);
            if (progress.Step % options.ReportEvery == 0)
                log.WriteLine($"step {progress.Step}/{progress.TotalSteps}: {progress.ElapsedSeconds:0.0} s, journal {JournalLiveBytes(runDir) / 1024.0:0} KiB in use, " +
                              $"RSS {Rss() / 1048576.0:0} MiB");
        }

        public string CopyOf(long step) => Path.Combine(copies, $"step-{step}");

        /// <summary>RSS and journal size now, and a copy of the journal to recover after the run.</summary>
        public SoakPoint Measure(long step)
        {
            var rss = Rss();
            var point = new SoakPoint(step, JournalLiveBytes(runDir), JournalBytes(runDir), rss, double.NaN, 0);
            CopyJournal(runDir, CopyOf(step));
            return point;
        }

        private static long Rss()
        {
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            return self.WorkingSet64;
        }
    }
}

/// <summary>What <c>hpt bench soak</c> runs. The defaults are the smallest setup that exercises every part of the pipeline.</summary>
public sealed record SoakOptions
{
    public int Steps { get; init; } = 1000;
    public int EarlyStep { get; init; } = 20;
    public int SnapshotEverySteps { get; init; } = 10;
    public int Prompts { get; init; } = 2;
    public int Samples { get; init; } = 2;
    public int MaxNewTokens { get; init; } = 6;
    public int Hidden { get; init; } = 32;
    public int Layers { get; init; } = 1;
    public int ResumeRepeats { get; init; } = 5;
    public int ReportEvery { get; init; } = 100;
    public string RunId { get; init; } = "soak";
    public IReadOnlyList<string> Overrides { get; init; } = [];

    public void Validate()
    {
        if (EarlyStep < 1 || EarlyStep >= Steps) throw new SettingsException("--steps", $"must be more than the early step {EarlyStep}");
        if (ResumeRepeats < 1) throw new SettingsException("--resume-repeats", "must be at least 1");
    }

    /// <summary>The run's settings; the first setting of a key wins, so the options beat <see cref="Overrides"/>.</summary>
    public IEnumerable<string> Settings(string runDir) =>
    [
        $"run.dir=\"{runDir.Replace("\\", "/")}\"", $"run.id={RunId}", "run.torch-threads=1",
        $"pipeline.total-steps={Steps}", $"pipeline.prompts-per-step={Prompts}", $"pipeline.samples-per-prompt={Samples}",
        $"persistence.snapshot-every-steps={SnapshotEverySteps}", "persistence.store=sqlite",
        $"model.tiny.hidden-size={Hidden}", $"model.tiny.layers={Layers}", "model.tiny.heads=2", "model.tiny.kv-heads=1",
        $"model.tiny.intermediate-size={2 * Hidden}", "model.tiny.max-positions=64",
        $"rollout.max-new-tokens={MaxNewTokens}", "task.train-size=64", "task.eval-size=1", "task.eval-samples=1", "task.warmup-steps=10",
        "checkpoint.every-steps=10", "checkpoint.every-minutes=0",
        .. Overrides,
    ];
}

/// <summary>One measurement of the soak run.</summary>
public sealed record SoakPoint(long Step, long JournalBytes, long JournalFileBytes, long RssBytes, double ResumeSeconds, int ReplayedEvents)
{
    public string Describe() =>
        $"at step {Step}: journal {JournalBytes / 1024.0:0} KiB in use ({JournalFileBytes / 1024.0:0} KiB of files), RSS {RssBytes / 1048576.0:0} MiB, " +
        $"resume recovery {ResumeSeconds * 1000:0} ms ({ReplayedEvents} events replayed after the snapshot)";
}

public sealed record SoakResult(int Steps, int Prompts, int Samples, int SnapshotEverySteps, SoakPoint Early, SoakPoint Late,
    double WallSeconds, double? LoadAverageEnd)
{
    public double JournalBytesPerStep => (double)(Late.JournalBytes - Early.JournalBytes) / Math.Max(1, Late.Step - Early.Step);
    public double ResumeLateOverEarly => Late.ResumeSeconds / Math.Max(1e-9, Early.ResumeSeconds);

    public IEnumerable<string> Describe()
    {
        yield return $"journal growth {JournalBytesPerStep:0.0} bytes/step between step {Early.Step} and {Late.Step}; " +
                     $"RSS {Early.RssBytes / 1048576.0:0} -> {Late.RssBytes / 1048576.0:0} MiB; resume {ResumeLateOverEarly:0.00}x (goal <= 1.2); " +
                     $"{WallSeconds:0} s wall";
    }

    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["benchmark"] = "soak",
        ["steps"] = Steps,
        ["prompts_per_step"] = Prompts,
        ["samples_per_prompt"] = Samples,
        ["snapshot_every_steps"] = SnapshotEverySteps,
        ["early_step"] = Early.Step,
        ["journal_bytes_early"] = Early.JournalBytes,
        ["journal_bytes_end"] = Late.JournalBytes,
        ["journal_bytes_per_step"] = Math.Round(JournalBytesPerStep, 1),
        ["journal_file_bytes_early"] = Early.JournalFileBytes,
        ["journal_file_bytes_end"] = Late.JournalFileBytes,
        ["rss_start_bytes"] = Early.RssBytes,
        ["rss_end_bytes"] = Late.RssBytes,
        ["resume_seconds_early"] = Math.Round(Early.ResumeSeconds, 4),
        ["resume_seconds_late"] = Math.Round(Late.ResumeSeconds, 4),
        ["replayed_events_early"] = Early.ReplayedEvents,
        ["replayed_events_late"] = Late.ReplayedEvents,
        ["resume_late_over_early"] = Math.Round(ResumeLateOverEarly, 3),
        ["wall_seconds"] = Math.Round(WallSeconds, 1),
        ["load_average_end"] = LoadAverageEnd,
    });
}
