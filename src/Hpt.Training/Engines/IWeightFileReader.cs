namespace Hpt.Training.Engines;

/// <summary>
/// Where a process reads policies published as files (a cluster node's shared weights directory). A rollout engine
/// that has one passes it to <see cref="IPolicyWeights.PrepareAsync"/>; only a <see cref="WeightFile"/> uses it.
/// </summary>
public interface IWeightFileReader
{
    /// <summary>
    /// Reads <paramref name="file"/> and checks it against its announced SHA-256 before a byte of it is used; a
    /// version no longer on disk may be replaced by a newer one (the snapshot says which).
    /// </summary>
    PolicySnapshot ReadVerified(WeightFile file);
}
