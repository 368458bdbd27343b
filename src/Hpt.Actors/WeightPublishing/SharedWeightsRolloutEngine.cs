using Hpt.Training.Engines;

namespace Hpt.Actors.WeightPublishing;

/// <summary>
/// A rollout engine that takes its policies from the shared weights directory. On an update the snapshot prepares
/// itself through this engine (<see cref="IPolicyWeights.PrepareAsync"/>): a <see cref="WeightFile"/> is read whole and
/// its SHA-256 checked in the background while the worker keeps generating, before the wrapped engine's model is
/// touched; the worker applies the verified weights only between prompts (or, for a continuous engine, between two
/// decode steps: see <see cref="Wrap"/>), so generation never runs on a half-loaded policy. A version already pruned
/// (this node fell behind) is replaced by the newest complete one, which is at least as new.
/// </summary>
public sealed class SharedWeightsRolloutEngine(IRolloutEngine inner, SharedWeightStore store, Action<string>? warn = null)
    : IRolloutEngine, IWeightFileReader
{
    public IRolloutEngine Inner => inner;

    /// <summary>
    /// <paramref name="inner"/> taking its policies from <paramref name="store"/>: a continuous engine stays continuous
    /// (<see cref="SharedWeightsContinuousRolloutEngine"/>), so a cluster rollout node batches as rollout.batching says.
    /// </summary>
    public static IRolloutEngine Wrap(IRolloutEngine inner, SharedWeightStore store, Action<string>? warn = null) =>
        inner is IContinuousRolloutEngine continuous
            ? new SharedWeightsContinuousRolloutEngine(continuous, new SharedWeightsRolloutEngine(inner, store, warn))
            : new SharedWeightsRolloutEngine(inner, store, warn);

    public long PolicyVersion => inner.PolicyVersion;

    /// <summary>Loads a prepared snapshot as it is; one that was not prepared (its background preparation failed) is prepared here first.</summary>
    public void LoadPolicy(PolicySnapshot snapshot) => inner.LoadPolicy(PrepareAsync(snapshot).GetAwaiter().GetResult());

    public Task<PolicySnapshot> PrepareAsync(PolicySnapshot snapshot) => snapshot.PrepareAsync(this);

    PolicySnapshot IWeightFileReader.ReadVerified(WeightFile file)
    {
        byte[] bytes;
        try
        {
            bytes = store.ReadVerified(file);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            var latest = store.Latest();
            if (latest is null || latest.Version < file.Version) throw;
            warn?.Invoke($"weights v{file.Version} unusable ({e.Message}); loading v{latest.Version} instead");
            file = latest;
            bytes = store.ReadVerified(file);
        }
        return new PolicySnapshot(file.Version, new VerifiedWeightBytes(bytes, file.Sha256));
    }

    public IReadOnlyList<Rollout> Generate(RolloutRequest request) => inner.Generate(request);

    public void Dispose() => inner.Dispose();
}
