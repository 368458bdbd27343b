using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Hpt.Actors.Hosting;

namespace Hpt.Actors.Cluster;

/// <summary>
/// Runs on every node: when a member is up whose admission roles (<see cref="NodeAdmission"/>) differ from this
/// node's, the younger of the two must go. If that is this node, it reports <see cref="RunFailed"/> (the process exits
/// with one line naming what differs); if it is the other one, this node downs it unless it left within a few
/// seconds, so a node that ignores the rule is removed anyway. Until then <see cref="MemberRoles"/> gives the mismatched member no work and takes nothing from it.
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
        cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));
    }

    /// <summary>
    /// Waits until this node is up and returns why it may not take part (an older member it does not match), or null.
    /// Called before the node starts its actors, so a mismatched node never registers workers or a verifier pool that
    /// the others could route to.
    /// </summary>
    public static async Task<string?> RefusalAsync(Akka.Cluster.Cluster cluster, CancellationToken cancel)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(cancel);
        var self = cluster.SelfMember;
        foreach (var member in cluster.State.Members.Where(m => m.Status == MemberStatus.Up && m.Address != cluster.SelfAddress && m.IsOlderThan(self)))
            if (NodeAdmission.Mismatch(cluster.SelfRoles, member.Roles) is { } mismatch)
                return Refusal(cluster, member, mismatch);
        return null;
    }

    private static string Refusal(Akka.Cluster.Cluster cluster, Member member, string mismatch) =>
        $"this node ({cluster.SelfAddress}) does not match node {member.Address} [{Functional(member)}], which was in the " +
        $"cluster first: the {mismatch} differ; start this node with the same hpt build and settings as the others";

    private static string Functional(Member member) =>
        string.Join(", ", member.Roles.Where(r => r is ClusterSettings.Learner or ClusterSettings.Rollout or ClusterSettings.Verifier).Order());

    private sealed record DownIfStillMember(UniqueAddress Node);

    public static Props Props() => Akka.Actor.Props.Create(() => new AdmissionGuard());

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
