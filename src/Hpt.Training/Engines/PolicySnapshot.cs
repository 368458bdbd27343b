namespace Hpt.Training.Engines;

/// <summary>Weights of one policy version, in whatever form an engine can load (in-process tensors, a file).</summary>
public interface IPolicyWeights
{
    /// <summary>Bytes the weights occupy (for publish-time metrics).</summary>
    long Bytes { get; }
}

/// <summary>
/// An immutable, versioned policy published by the learner. Shared by reference in one process: every rollout
/// worker copies from it once into its own model, and nothing ever writes to it.
/// </summary>
public sealed record PolicySnapshot(long Version, IPolicyWeights Weights);
