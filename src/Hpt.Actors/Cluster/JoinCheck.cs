using Akka.Actor;
using Akka.Cluster;

namespace Hpt.Actors.Cluster;

/// <summary>
/// Decides whether this node may take part, from the membership it sees while it joins: a member that was in the
/// cluster first and whose admission roles (<see cref="NodeAdmission"/>) differ from this node's refuses it (see
/// <see cref="AdmissionGuard"/>, which downs a mismatched node while it is still joining), and this node reports why
/// (the verdict, a line for `hpt: error:`), or null once it is up and matches every older member. Started with the
/// ActorSystem, before or while it joins: the members down a refused node within a gossip round, and after that its
/// membership view is gone, so a check that waited for the host to start could only say that the node was removed.
/// </summary>
public sealed class JoinCheck : ReceiveActor, IWithTimers
{
    private readonly Dictionary<UniqueAddress, Member> _members = new();
    private readonly TaskCompletionSource<string?> _verdict;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private bool _removing;

    public ITimerScheduler Timers { get; set; } = null!;

    public JoinCheck(TaskCompletionSource<string?> verdict)
    {
        _verdict = verdict;
        // The snapshot first (all members at once), so that this node, up already, is judged against every older member.
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members) _members[member.UniqueAddress] = member;
            Decide();
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            if (e is ClusterEvent.MemberRemoved) _members.Remove(e.Member.UniqueAddress);
            else _members[e.Member.UniqueAddress] = e.Member;
            if (e.Member.UniqueAddress.Equals(_cluster.SelfUniqueAddress) && e is ClusterEvent.MemberRemoved or ClusterEvent.MemberDowned)
                ConcludeAfterGrace();
            else Decide();
        });
        Receive<SelfRemoved>(_ => ConcludeAfterGrace());
        Receive<ConcludeRemoved>(_ => Conclude(RefusalOrRemoved()));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
        // Removed before this actor subscribed (a start-up slower than the refusal): no event would come. Runs at once then.
        var self = Self;
        _cluster.RegisterOnMemberRemoved(() => self.Tell(SelfRemoved.Instance));
    }

    private sealed class SelfRemoved
    {
        public static readonly SelfRemoved Instance = new();
    }

    private sealed class ConcludeRemoved
    {
        public static readonly ConcludeRemoved Instance = new();
    }

    /// <summary>
    /// How long a removed node waits for the rest of the membership before it says why. The events of one gossip
    /// change come in member order, not causal order: the refusing member's MemberUp can follow this node's own
    /// MemberDowned (seen on CI, where the first gossip a stranger got already had it downed), and only that member's
    /// roles name what differs.
    /// </summary>
    private static readonly TimeSpan RemovalGrace = TimeSpan.FromSeconds(1);

    /// <summary>The check; <paramref name="verdict"/> completes once.</summary>
    public static Props Props(TaskCompletionSource<string?> verdict) => Akka.Actor.Props.Create(() => new JoinCheck(verdict));

    public const string Name = "join-check";

    private void Decide()
    {
        if (!_members.TryGetValue(_cluster.SelfUniqueAddress, out var self)) return;
        var up = self.Status == MemberStatus.Up;
        // While this node joins, every member that is up was there first; once up, the older ones were.
        foreach (var member in _members.Values.Where(m => m.Status == MemberStatus.Up && !m.UniqueAddress.Equals(self.UniqueAddress)
                                                          && (!up || m.IsOlderThan(self))))
            if (NodeAdmission.Mismatch(_cluster.SelfRoles, member.Roles) is { } mismatch)
            {
                Conclude(AdmissionGuard.Refusal(_cluster, member, mismatch));
                return;
            }
        if (up) Conclude(null);
    }

    private void ConcludeAfterGrace()
    {
        if (_removing) return;
        _removing = true;
        Timers.StartSingleTimer(ConcludeRemoved.Instance, ConcludeRemoved.Instance, RemovalGrace);
    }

    /// <summary>A removed node's reason: the first up member whose admission roles differ, else that it was removed.</summary>
    private string RefusalOrRemoved()
    {
        // The cluster's own view too: a downed node shuts down, and the user actors stop before the system's, so this
        // actor can be stopped with the refusing member's MemberUp still in its mailbox while the cluster's read view
        // (a system actor) has it already.
        var known = _members.Values.Concat(_cluster.State.Members);
        foreach (var member in known.Where(m => m.Status == MemberStatus.Up && !m.UniqueAddress.Equals(_cluster.SelfUniqueAddress)))
            if (NodeAdmission.Mismatch(_cluster.SelfRoles, member.Roles) is { } mismatch)
                return AdmissionGuard.Refusal(_cluster, member, mismatch);
        return Removed(_cluster);
    }

    private void Conclude(string? verdict)
    {
        _verdict.TrySetResult(verdict);
        Context.Stop(Self);
    }

    private static string Removed(Akka.Cluster.Cluster cluster) =>
        $"this node ({cluster.SelfAddress}) was removed from the cluster before it was up (downed, or the system stopped); " +
        "start it again once the cluster is reachable";

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _verdict.TrySetResult(RefusalOrRemoved()); // stopped with its system (a downed node shuts down) before any verdict
    }
}
