namespace Hpt.Training.Engines;

/// <summary>
/// The policy versions a group of samples came from: the oldest and the newest version of any of its tokens
/// (<see cref="Rollout.TokenVersions"/>). The one rule for a sample's version: the learner's staleness bound and the
/// step's staleness metrics count from <see cref="Oldest"/>, provenance reports both. Every sampled token counts,
/// kept by the gate or not: the gate decided on all of them. <see cref="None"/>: the group has no token.
/// </summary>
public readonly record struct SampleVersions(long Oldest, long Newest)
{
    public static SampleVersions None { get; } = new(-1, -1);

    public bool IsNone => Oldest < 0;

    public static SampleVersions Of(IEnumerable<Rollout> rollouts)
    {
        long oldest = long.MaxValue, newest = long.MinValue;
        foreach (var rollout in rollouts)
        foreach (var version in rollout.TokenVersions)
        {
            oldest = Math.Min(oldest, version);
            newest = Math.Max(newest, version);
        }
        return oldest == long.MaxValue ? None : new SampleVersions(oldest, newest);
    }

    /// <summary>How many versions the oldest token is behind <paramref name="policyVersion"/> (0 for none, or for newer tokens).</summary>
    public long StalenessAt(long policyVersion) => IsNone ? 0 : Math.Max(0, policyVersion - Oldest);
}
