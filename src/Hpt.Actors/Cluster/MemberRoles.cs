using Akka.Actor;

namespace Hpt.Actors.Cluster;

/// <summary>
/// Whether an actor lives on a cluster member with a given role. Knowing the coordinator's path is not enough to take
/// part: prompts go only to workers on rollout members, verdicts are taken only from verifier members. In a system
/// without clustering (one process) only local actors qualify. A member whose version or settings differ from this
/// node's, or that is a learner node of another run (<see cref="NodeAdmission"/>), does not qualify either.
/// </summary>
public static class MemberRoles
{
    public static bool Has(ActorSystem system, IActorRef actor, string role)
    {
        var address = actor.Path.Address;
        if (!system.Settings.ProviderClass.Contains("Cluster", StringComparison.OrdinalIgnoreCase)) return address.HasLocalScope;
        var cluster = Akka.Cluster.Cluster.Get(system);
        if (address.HasLocalScope) address = cluster.SelfAddress;
        if (address == cluster.SelfAddress) return cluster.SelfRoles.Contains(role);
        // A member of another build, with other generation settings or of another run (NodeAdmission) does not count
        // until it is removed.
        var members = cluster.State.Members;
        return members.Any(m => m.Address == address && m.HasRole(role)
                                && m.Status is Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.WeaklyUp or Akka.Cluster.MemberStatus.Leaving
                                && BelongsToRun(cluster.SelfRoles, members, m));
    }

    /// <summary>
    /// Whether <paramref name="member"/> may work with this node on this run: its admission roles match this node's
    /// (version, generation settings, and the run when both are learner nodes), and, when it is a learner node, the
    /// run of the oldest matching learner node, which hosts the learner singleton. The second test is what a rollout
    /// node, which has no run of its own, needs to tell a learner node of another run from the run's own.
    /// </summary>
    public static bool BelongsToRun(IEnumerable<string> selfRoles, IReadOnlyCollection<Akka.Cluster.Member> members, Akka.Cluster.Member member)
    {
        var self = selfRoles as IReadOnlyCollection<string> ?? selfRoles.ToArray();
        if (NodeAdmission.Mismatch(self, member.Roles) is not null) return false;
        var runLearner = members
            .Where(m => m.HasRole(ClusterSettings.Learner) && m.Status is Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.Leaving
                        && NodeAdmission.Mismatch(self, m.Roles) is null)
            .Aggregate((Akka.Cluster.Member?)null, (oldest, m) => oldest is null || m.IsOlderThan(oldest) ? m : oldest);
        return runLearner is null || NodeAdmission.Mismatch(runLearner.Roles, member.Roles) is null;
    }
}
