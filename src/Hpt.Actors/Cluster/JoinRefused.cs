namespace Hpt.Actors.Cluster;

/// <summary>
/// Sent by a member that refuses a joining node (<see cref="AdmissionGuard"/>) to that node's <see cref="JoinCheck"/>,
/// just before it downs it: the refused node may never see the refusing member up (a downed node's membership view
/// ends within a gossip round), so it learns why from this message. It carries the refusing member's roles, from which
/// the refused node computes the mismatch itself (a message whose roles match this node's is ignored), and the
/// settings behind its fingerprints, so that the error names the keys that differ and both values.
/// </summary>
/// <param name="Member">The refusing member's address.</param>
/// <param name="Roles">All its cluster roles (played and admission roles).</param>
/// <param name="Settings">What its admission fingerprints are made of.</param>
public sealed record JoinRefused(string Member, IReadOnlyList<string> Roles, AdmissionSettings Settings);
