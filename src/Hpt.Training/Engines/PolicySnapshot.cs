using Hpt.Model;

namespace Hpt.Training.Engines;

/// <summary>
/// Weights of one policy version, in whatever form they travel (in-process tensors, verified file bytes, a reference
/// to a file). Each kind says itself how it is prepared, loaded and sent, so no engine, worker or serializer tests
/// weight types.
/// </summary>
public interface IPolicyWeights
{
    /// <summary>Bytes the weights occupy (for publish-time metrics).</summary>
    long Bytes { get; }

    /// <summary>
    /// Copies these weights into <paramref name="model"/>, published as <paramref name="version"/>; returns the version
    /// the model holds afterwards (live weights return the exact version they copied, which may be newer).
    /// </summary>
    long LoadInto(CausalLM model, long version);

    /// <summary>
    /// The slow part of loading, done before <see cref="LoadInto"/> and possibly off the caller's thread: a
    /// <see cref="WeightFile"/> reads and verifies its file through <paramref name="files"/>. Weights already in memory
    /// have nothing to prepare: the default returns them as they are, completed, so the caller loads them at once.
    /// </summary>
    /// <param name="files">The process's shared weights directory; null where there is none (one process).</param>
    Task<PolicySnapshot> PrepareAsync(long version, IWeightFileReader? files) => Task.FromResult(new PolicySnapshot(version, this));

    /// <summary>The published file that crosses nodes in place of these weights; null (the default): they cannot leave their process.</summary>
    WeightFile? File => null;
}

/// <summary>
/// An immutable, versioned policy published by the learner. Shared by reference in one process: every rollout
/// worker copies from it once into its own model, and nothing ever writes to it.
/// </summary>
public sealed record PolicySnapshot(long Version, IPolicyWeights Weights)
{
    /// <summary>See <see cref="IPolicyWeights.PrepareAsync"/>.</summary>
    public Task<PolicySnapshot> PrepareAsync(IWeightFileReader? files) => Weights.PrepareAsync(Version, files);
}
