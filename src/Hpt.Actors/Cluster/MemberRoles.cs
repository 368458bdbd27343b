using Akka.Actor;

namespace Hpt.Actors.Cluster;

/// <summary>
/// Whether an actor lives on a cluster member with a given role. Knowing the coordinator's path is not enough to take
/// part: prompts go only to workers on rollout members, verdicts are taken only from verifier members. In a system
/// without clustering (one process) only local actors qualify. A member whose version or settings differ from this
/// node's (<see cref="NodeAdmission"/>) does not qualify either.
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
        // A member of another build or with other generation settings (NodeAdmission) does not count until it is removed.
        return cluster.State.Members.Any(m => m.Address == address && m.HasRole(role)
                                              && m.Status is Akka.Cluster.MemberStatus.Up or Akka.Cluster.MemberStatus.WeaklyUp or Akka.Cluster.MemberStatus.Leaving
                                              && NodeAdmission.Mismatch(cluster.SelfRoles, m.Roles) is null);
    }
}
