using Hpt.Training.Engines;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.WeightPublishing;

/// <summary>
/// A continuous engine on a cluster rollout node: policies come from the shared weights directory through
/// <paramref name="loader"/> (read and verified in the background, applied by the worker between two decode steps),
/// prompts are submitted and stepped on <paramref name="inner"/>. Built by <see cref="SharedWeightsRolloutEngine.Wrap"/>.
/// </summary>
public sealed class SharedWeightsContinuousRolloutEngine(IContinuousRolloutEngine inner, SharedWeightsRolloutEngine loader)
    : IContinuousRolloutEngine
{
    public IContinuousRolloutEngine Inner => inner;

    public long PolicyVersion => inner.PolicyVersion;

    public int PromptCapacity => inner.PromptCapacity;

    public bool HasWork => inner.HasWork;

    public void LoadPolicy(PolicySnapshot snapshot) => loader.LoadPolicy(snapshot);

    public Task<PolicySnapshot> PrepareAsync(PolicySnapshot snapshot) => loader.PrepareAsync(snapshot);

    public void Submit(RolloutRequest request) => inner.Submit(request);

    public IReadOnlyList<FinishedRollouts> Step() => inner.Step();

    public IReadOnlyList<Rollout> Generate(RolloutRequest request) => inner.Generate(request);

    public void Dispose() => loader.Dispose(); // disposes inner
}
