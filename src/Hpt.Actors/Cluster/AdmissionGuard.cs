using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Hpt.Actors.Hosting;

namespace Hpt.Actors.Cluster;

/// <summary>
/// Runs on every node. A node that asks to join (status Joining) whose admission roles (<see cref="NodeAdmission"/>)
/// differ from this node's is refused at once: this node logs why and downs it before the leader can move it up, so it
/// never comes up: up, it would have a say in the cluster (the rollout nodes' <see cref="VerifierRouter"/> would skip
/// it all the same). Before it downs it, it
/// tells the newcomer's <see cref="JoinCheck"/> why (<see cref="JoinRefused"/>, with the settings behind this node's
/// fingerprints), and the newcomer exits with one line naming the keys that differ.
/// Akka.NET 1.5 has no join configuration check (Akka's JoinConfigCompatChecker is not ported), so this is the
/// join-time check, on the roles every Join carries.
/// When a mismatched member is up all the same (it joined before this node, or through a node of an older build), the
/// younger of the two must go: if that is this node, it reports <see cref="RunFailed"/>; if it is the other one, this
/// node downs it unless it left within a few seconds. Until then <see cref="MemberRoles"/> gives the mismatched member
/// no work and takes nothing from it, and the verifier router sends it no group.
/// </summary>
public sealed class AdmissionGuard : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan LeaveGrace = TimeSpan.FromSeconds(10);

    public ITimerScheduler Timers { get; set; } = null!;

    public AdmissionGuard(AdmissionSettings admission)
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
                member.Address, Functional(member.Roles), mismatch);
            // Told first, downed second: the message travels on the same connection as this node's gossip of the downing.
            Context.ActorSelection(JoinCheck.PathOn(member.Address))
                .Tell(new JoinRefused(cluster.SelfAddress.ToString(), cluster.SelfRoles.ToArray(), admission), Self);
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
                Context.System.EventStream.Publish(new RunFailed(
                    Refusal(cluster.SelfAddress, member.Address.ToString(), Functional(member.Roles), mismatch, [])));
            }
            else
            {
                // The newcomer sees the same mismatch and leaves by itself with its own error line; downing it is the
                // fallback for one that does not (another build), after it had the time to.
                log.Warning("node {0} [{1}] does not match this node: the {2} differ; it gets no work and is removed from the cluster",
                    member.Address, Functional(member.Roles), mismatch);
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

    /// <summary>The refused node's error line: whom it does not match, what differs, and (when known) the keys and both values.</summary>
    internal static string Refusal(Address self, string member, string functional, string mismatch, IReadOnlyList<string> differences)
    {
        const int shown = 5;
        var keys = differences.Count == 0 ? "" :
            "; what differs: " + string.Join("; ", differences.Take(shown)) + (differences.Count > shown ? $"; and {differences.Count - shown} more" : "");
        return $"this node ({self}) does not match node {member} [{functional}], which was in the cluster first: the {mismatch} differ{keys}; " +
               "start this node with the same hpt build and settings as the others";
    }

    /// <summary>The roles a member plays (not its admission roles), for the log and the error line.</summary>
    internal static string Functional(IEnumerable<string> roles) =>
        string.Join(", ", roles.Where(r => r is ClusterSettings.Learner or ClusterSettings.Rollout or ClusterSettings.Verifier).Order());

    private sealed record DownIfStillMember(UniqueAddress Node);

    /// <param name="admission">What this node's admission roles are made of, sent to a node it refuses.</param>
    public static Props Props(AdmissionSettings admission) => Akka.Actor.Props.Create(() => new AdmissionGuard(admission));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
