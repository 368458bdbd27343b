namespace Hpt.Training.Engines;

/// <summary>
/// A policy copy that samples responses. Implementations hold the tensors; the rollout actor only calls them.
/// Sampling must be reproducible from (run seed, prompt seq) alone, whichever worker runs it.
/// </summary>
public interface IRolloutEngine : IDisposable
{
    long PolicyVersion { get; }

    /// <summary>Copy the snapshot's weights into this engine's model (once per version).</summary>
    void LoadPolicy(PolicySnapshot snapshot);

    IReadOnlyList<Rollout> Generate(RolloutRequest request);
}
