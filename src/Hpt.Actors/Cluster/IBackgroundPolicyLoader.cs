using Hpt.Training.Engines;

namespace Hpt.Actors.Cluster;

/// <summary>
/// A rollout engine whose policy loads in two phases: <see cref="PrepareAsync"/> does the slow part off the worker's
/// thread (read the weight file, verify its checksum) while the worker keeps generating with the policy it has;
/// <see cref="IRolloutEngine.LoadPolicy"/> with the prepared snapshot then only copies it into the model, between two
/// prompts. A policy is therefore never used half-loaded.
/// </summary>
public interface IBackgroundPolicyLoader
{
    Task<PolicySnapshot> PrepareAsync(PolicySnapshot snapshot);
}
