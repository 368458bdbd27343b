using Hpt.Training.Engines;

namespace Hpt.Benchmarks;

/// <summary>
/// A continuous rollout engine that records each decode step, generation and weight load on a <see cref="RunTimeline"/>,
/// so the pipeline benchmark's generate time per step is the time the worker's thread spent in the engine.
/// </summary>
public sealed class TimedContinuousRolloutEngine(IContinuousRolloutEngine inner, RunTimeline timeline) : IContinuousRolloutEngine
{
    public long PolicyVersion => inner.PolicyVersion;
    public int PromptCapacity => inner.PromptCapacity;
    public bool HasWork => inner.HasWork;

    public Task<PolicySnapshot> PrepareAsync(PolicySnapshot snapshot) => inner.PrepareAsync(snapshot);

    public void LoadPolicy(PolicySnapshot snapshot) => Timed(() => { inner.LoadPolicy(snapshot); return 0; });

    public IReadOnlyList<Rollout> Generate(RolloutRequest request) => Timed(() => inner.Generate(request));

    public void Submit(RolloutRequest request) => inner.Submit(request);

    public IReadOnlyList<FinishedRollouts> Step() => Timed(inner.Step);

    private T Timed<T>(Func<T> work)
    {
        var start = timeline.Now;
        var result = work();
        timeline.Rollout(start, timeline.Now);
        return result;
    }

    public void Dispose() => inner.Dispose();
}
