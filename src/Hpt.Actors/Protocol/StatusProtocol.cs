namespace Hpt.Actors.Protocol;

/// <summary>
/// Query, from `hpt status --cluster` (a process outside the cluster) to a node's status service, which asks the
/// learner singleton. <paramref name="Within"/> is how long the asker waits: the node gives up on the learner a little
/// earlier and answers <see cref="ClusterStatusUnavailable"/>, so the asker learns why instead of timing out.
/// </summary>
public sealed record GetClusterStatus(TimeSpan Within) : IPipelineMessage;

/// <summary>
/// Answer to <see cref="GetClusterStatus"/>, made on the node of the learner singleton: the coordinator's latest
/// report (what status.json holds), the run directory's journal and newest checkpoint, and the membership as that
/// node sees it.
/// </summary>
public sealed record ClusterStatus(PipelineReport Report, RunFilesReport Files, IReadOnlyList<MemberReport> Members, string LearnerNode)
    : IPipelineMessage;

/// <summary>Answer to <see cref="GetClusterStatus"/> when the node could not get a report from the learner, and why.</summary>
public sealed record ClusterStatusUnavailable(string Reason) : IPipelineMessage;

/// <summary>The journal's size (null: not a file in the run directory) and the newest complete checkpoint (null: none).</summary>
public sealed record RunFilesReport(long? JournalBytes, string? NewestCheckpoint, DateTime? CheckpointUtc)
{
    public static readonly RunFilesReport Unknown = new(null, null, null);
}

/// <summary>
/// One cluster member: its address, the roles it plays (learner, rollout, verifier), its membership status (Up,
/// Joining, Leaving, ...), whether the answering node reaches it, whether it matches the learner's build and settings
/// (<see cref="Cluster.NodeAdmission"/>), and whether it hosts the learner singleton.
/// </summary>
public sealed record MemberReport(string Address, IReadOnlyList<string> Roles, string Status, bool Reachable, bool Admitted, bool HostsLearner);
