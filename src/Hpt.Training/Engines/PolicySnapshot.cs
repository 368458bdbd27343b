using Hpt.Model;

namespace Hpt.Training.Engines;

/// <summary>
/// Weights of one policy version, in whatever form they travel (in-process tensors, verified file bytes, a reference
/// to a file). Each kind loads itself, so a rollout engine needs no switch on weight types.
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
}

/// <summary>
/// An immutable, versioned policy published by the learner. Shared by reference in one process: every rollout
/// worker copies from it once into its own model, and nothing ever writes to it.
/// </summary>
public sealed record PolicySnapshot(long Version, IPolicyWeights Weights);
