namespace Hpt.Training.Engines;

/// <summary>
/// A policy copy that samples responses. Implementations hold the tensors; the rollout actor only calls them.
/// Sampling must be reproducible from (run seed, prompt seq) alone, whichever worker runs it.
/// </summary>
public interface IRolloutEngine : IDisposable
{
    long PolicyVersion { get; }

    /// <summary>
    /// The slow part of loading a policy, which may run off the worker's thread while it keeps generating (a cluster
    /// node reads the weight file and checks its SHA-256 here). The result goes to <see cref="LoadPolicy"/>, which then
    /// only copies it into the model, between two prompts or decode steps. Engines whose weights are already in
    /// memory have nothing to prepare: the default returns the snapshot as it is, completed, and the worker loads it
    /// at once.
    /// </summary>
    Task<PolicySnapshot> PrepareAsync(PolicySnapshot snapshot) => Task.FromResult(snapshot);

    /// <summary>Copy the snapshot's weights into this engine's model (once per version).</summary>
    void LoadPolicy(PolicySnapshot snapshot);

    IReadOnlyList<Rollout> Generate(RolloutRequest request);
}
