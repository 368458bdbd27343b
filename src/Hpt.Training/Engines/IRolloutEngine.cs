namespace Hpt.Training.Engines;

/// <summary>
/// A policy copy that samples responses. Implementations hold the tensors; the rollout actor only calls them.
/// Sampling must be reproducible from (run seed, prompt seq) alone, whichever worker runs it.
/// </summary>
public interface IRolloutEngine : IDisposable
{
    long PolicyVersion { get; }

    /// <summary>
    /// The slow part of loading a policy, which may run off the worker's thread while it keeps generating. The
    /// snapshot's weights prepare themselves (<see cref="IPolicyWeights.PrepareAsync"/>): weights in memory return
    /// completed and the worker loads them at once; a weight file is read and its SHA-256 checked, which needs the
    /// node's weights directory (the engines of Hpt.Actors.WeightPublishing pass theirs; here there is none). The result
    /// goes to <see cref="LoadPolicy"/>, which then only copies it into the model, between two prompts or decode steps.
    /// </summary>
    Task<PolicySnapshot> PrepareAsync(PolicySnapshot snapshot) => snapshot.PrepareAsync(files: null);

    /// <summary>Copy the snapshot's weights into this engine's model (once per version).</summary>
    void LoadPolicy(PolicySnapshot snapshot);

    IReadOnlyList<Rollout> Generate(RolloutRequest request);
}
