using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Hpt.Actors.Hosting;

namespace Hpt.Actors.Cluster;

/// <summary>
/// Runs on every node. A node that asks to join (status Joining) whose admission roles (<see cref="NodeAdmission"/>)
/// differ from this node's is refused at once: this node logs why and downs it before the leader can move it up, so it
/// never becomes a routee of a cluster router (a learner of another run would otherwise be a verifier routee of every
/// rollout node, with no verifier pool behind its path, and groups sent to it would be lost). The newcomer sees the
/// same mismatch in the membership the seed welcomed it with (<see cref="JoinCheck"/>) and exits with one line.
/// Akka.NET 1.5 has no join configuration check (Akka's JoinConfigCompatChecker is not ported), so this is the
/// join-time check, on the roles every Join carries.
/// When a mismatched member is up all the same (it joined before this node, or through a node of an older build), the
/// younger of the two must go: if that is this node, it reports <see cref="RunFailed"/>; if it is the other one, this
/// node downs it unless it left within a few seconds. Until then <see cref="MemberRoles"/> gives the mismatched member
/// no work and takes nothing from it.
/// </summary>
public sealed class AdmissionGuard : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan LeaveGrace = TimeSpan.FromSeconds(10);

    public ITimerScheduler Timers { get; set; } = null!;

    public AdmissionGuard()
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        var log = Context.GetLogger();
        var reported = false;
        Receive<ClusterEvent.MemberJoined>(joined =>
        {
            var member = joined.Member;
            var self = cluster.SelfMember;
            // Only a member that is up refuses: two newcomers do not judge each other.
            if (member.Address == cluster.SelfAddress || self.Status != MemberStatus.Up) return;
            if (NodeAdmission.Mismatch(cluster.SelfRoles, member.Roles) is not { } mismatch) return;
            log.Warning("node {0} [{1}] asked to join and does not match this node: the {2} differ; refused (downed before it is up)",
                member.Address, Functional(member), mismatch);
            cluster.Down(member.Address);
        });
        Receive<ClusterEvent.MemberUp>(up =>
        {
            var member = up.Member;
            if (member.Address == cluster.SelfAddress) return;
            if (NodeAdmission.Mismatch(cluster.SelfRoles, member.Roles) is not { } mismatch) return;
            var self = cluster.SelfMember;
            if (member.IsOlderThan(self))
            {
                if (reported) return;
                reported = true;
                Context.System.EventStream.Publish(new RunFailed(Refusal(cluster, member, mismatch)));
            }
            else
            {
                // The newcomer sees the same mismatch and leaves by itself with its own error line; downing it is the
                // fallback for one that does not (another build), after it had the time to.
                log.Warning("node {0} [{1}] does not match this node: the {2} differ; it gets no work and is removed from the cluster",
                    member.Address, Functional(member), mismatch);
                Timers.StartSingleTimer(member.UniqueAddress, new DownIfStillMember(member.UniqueAddress), LeaveGrace);
            }
        });
        Receive<DownIfStillMember>(down =>
        {
            if (cluster.State.Members.Any(m => m.UniqueAddress.Equals(down.Node) && m.Status != MemberStatus.Removed))
                cluster.Down(down.Node.Address);
        });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberJoined),
            typeof(ClusterEvent.MemberUp));
    }

    internal static string Refusal(Akka.Cluster.Cluster cluster, Member member, string mismatch) =>
        $"this node ({cluster.SelfAddress}) does not match node {member.Address} [{Functional(member)}], which was in the " +
        $"cluster first: the {mismatch} differ; start this node with the same hpt build and settings as the others";

    private static string Functional(Member member) =>
        string.Join(", ", member.Roles.Where(r => r is ClusterSettings.Learner or ClusterSettings.Rollout or ClusterSettings.Verifier).Order());

    private sealed record DownIfStillMember(UniqueAddress Node);

    public static Props Props() => Akka.Actor.Props.Create(() => new AdmissionGuard());

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
