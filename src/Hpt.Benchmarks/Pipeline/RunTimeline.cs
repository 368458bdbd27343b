using System.Diagnostics;
using Hpt.Training.Engines;
using Hpt.Actors.Protocol;
using TorchSharp;

namespace Hpt.Benchmarks;

/// <summary>
/// What one measured run did, recorded by the engine wrappers below from whichever thread drives them: when each
/// training step ran (and the process CPU time at its end), when the rollout engine was busy, and the torch thread
/// count each engine actually saw on its own thread.
/// </summary>
public sealed class RunTimeline
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private readonly List<StepRecord> _steps = [];
    private readonly List<(double Start, double End)> _rolloutBusy = [];

    public sealed record StepRecord(double Start, double End, double CpuSeconds, double RewardMean, int Samples);

    public double Now => _clock.Elapsed.TotalSeconds;

    public int LearnerThreads { get; private set; }
    public int RolloutThreads { get; private set; }

    public IReadOnlyList<StepRecord> Steps
    {
        get { lock (_lock) return _steps.ToArray(); }
    }

    public IReadOnlyList<(double Start, double End)> RolloutBusy
    {
        get { lock (_lock) return _rolloutBusy.ToArray(); }
    }

    internal void Step(double start, double end, IReadOnlyList<StepPrompt> batch)
    {
        var rewards = batch.SelectMany(p => p.Rewards).ToArray();
        var record = new StepRecord(start, end, ProcessCpuSeconds(), rewards.Length == 0 ? 0 : rewards.Average(), rewards.Length);
        lock (_lock)
        {
            _steps.Add(record);
            if (LearnerThreads == 0) LearnerThreads = torch.get_num_threads();
        }
    }

    internal void Rollout(double start, double end)
    {
        lock (_lock)
        {
            _rolloutBusy.Add((start, end));
            if (RolloutThreads == 0) RolloutThreads = torch.get_num_threads();
        }
    }

    private static double ProcessCpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }
}

/// <summary>A learner engine that records every training step on a <see cref="RunTimeline"/>.</summary>
public sealed class TimedLearnerEngine(ILearnerEngine inner, RunTimeline timeline) : ILearnerEngine
{
    public long PolicyVersion => inner.PolicyVersion;

    public LearnerStepResult Train(IReadOnlyList<StepPrompt> batch)
    {
        var start = timeline.Now;
        var result = inner.Train(batch);
        timeline.Step(start, timeline.Now, batch);
        return result;
    }

    public PolicySnapshot Snapshot() => inner.Snapshot();

    public void SaveCheckpoint(string folder, bool withOptimizer) => inner.SaveCheckpoint(folder, withOptimizer);

    public void LoadCheckpoint(string folder, long version) => inner.LoadCheckpoint(folder, version);

    public void Dispose() => inner.Dispose();
}

/// <summary>A rollout engine that records when it generates or loads weights on a <see cref="RunTimeline"/>.</summary>
public sealed class TimedRolloutEngine(IRolloutEngine inner, RunTimeline timeline) : IRolloutEngine
{
    /// <summary>A timed wrapper that keeps a continuous engine continuous (each decode step is one busy interval).</summary>
    public static IRolloutEngine For(IRolloutEngine inner, RunTimeline timeline) =>
        inner is IContinuousRolloutEngine continuous ? new TimedContinuousRolloutEngine(continuous, timeline) : new TimedRolloutEngine(inner, timeline);

    public long PolicyVersion => inner.PolicyVersion;

    public Task<PolicySnapshot> PrepareAsync(PolicySnapshot snapshot) => inner.PrepareAsync(snapshot);

    public void LoadPolicy(PolicySnapshot snapshot)
    {
        var start = timeline.Now;
        inner.LoadPolicy(snapshot);
        timeline.Rollout(start, timeline.Now);
    }

    public IReadOnlyList<Rollout> Generate(RolloutRequest request)
    {
        var start = timeline.Now;
        var rollouts = inner.Generate(request);
        timeline.Rollout(start, timeline.Now);
        return rollouts;
    }

    public void Dispose() => inner.Dispose();
}
