using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Hpt.Actors.Cluster;

/// <summary>
/// Decides whether this node may take part, while it joins: a member that was in the cluster first and whose admission
/// roles (<see cref="NodeAdmission"/>) differ from this node's refuses it (see <see cref="AdmissionGuard"/>, which tells
/// this check why with <see cref="JoinRefused"/> and downs it while it is still joining), and this node reports why (the
/// verdict, a line for `hpt: error:`), or null once it is up and matches every older member.
/// The refusal message is the reason; the membership is the fallback (a member of an older build sends none): a
/// mismatched older member seen up, or, once this node is downed or removed, whatever the membership showed by then.
/// Either way the check waits up to <see cref="Grace"/> for the message before it concludes, since the message and the
/// membership events travel separately. Started with the ActorSystem, before it joins, as a system actor at
/// <see cref="PathOn"/>: a downed node shuts down, its user actors first, and the check must outlive them to conclude.
/// </summary>
public sealed class JoinCheck : ReceiveActor, IWithTimers
{
    private readonly Dictionary<UniqueAddress, Member> _members = new();
    private readonly TaskCompletionSource<string?> _verdict;
    private readonly AdmissionSettings _admission;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private string? _told; // the refusing member's reason (JoinRefused)
    private string? _seen; // an up, mismatched member's reason from the membership
    private bool _waiting;

    public ITimerScheduler Timers { get; set; } = null!;

    public JoinCheck(TaskCompletionSource<string?> verdict, AdmissionSettings admission)
    {
        _verdict = verdict;
        _admission = admission;
        Receive<JoinRefused>(Refused);
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
        Receive<GraceOver>(_ => Conclude(_told ?? _seen ?? RefusalOrRemoved()));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
        // Removed before this actor subscribed (a start-up slower than the refusal): no event would come. Runs at once then.
        var self = Self;
        _cluster.RegisterOnMemberRemoved(() => self.Tell(SelfRemoved.Instance));
    }

    private sealed class SelfRemoved
    {
        public static readonly SelfRemoved Instance = new();
    }

    private sealed class GraceOver
    {
        public static readonly GraceOver Instance = new();
    }

    /// <summary>
    /// How long a refused or removed node waits for the refusal message (or the rest of the membership) before it
    /// says why. The refusing member sends the message before it downs this node, but a third member (the leader)
    /// may gossip the downing first; and one gossip change's events come in member order, not causal order: the
    /// refusing member's MemberUp can follow this node's own MemberDowned (seen on CI).
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);

    public const string Name = "join-check";

    /// <summary>The check's path on the node at <paramref name="node"/>, where a refusing member sends <see cref="JoinRefused"/>.</summary>
    public static ActorPath PathOn(Address node) => new RootActorPath(node) / "system" / Name;

    /// <summary>The check; <paramref name="verdict"/> completes once.</summary>
    public static Props Props(TaskCompletionSource<string?> verdict, AdmissionSettings admission) =>
        Akka.Actor.Props.Create(() => new JoinCheck(verdict, admission));

    /// <summary>Starts the check on <paramref name="system"/> at <see cref="PathOn"/> (before the system joins).</summary>
    public static IActorRef Start(ActorSystem system, TaskCompletionSource<string?> verdict, AdmissionSettings admission) =>
        ((ExtendedActorSystem)system).SystemActorOf(Props(verdict, admission), Name);

    private void Refused(JoinRefused refused)
    {
        // Whoever sends it, it counts only if it names a real difference: a member that matches this node has nothing to refuse.
        if (NodeAdmission.Mismatch(_cluster.SelfRoles, refused.Roles) is not { } mismatch)
        {
            _log.Warning("ignored a refusal from {0}, whose roles match this node's", refused.Member);
            return;
        }
        _told ??= AdmissionGuard.Refusal(_cluster.SelfAddress, refused.Member, AdmissionGuard.Functional(refused.Roles), mismatch,
            _admission.Differences(refused.Settings));
        Conclude(_told);
    }

    private void Decide()
    {
        if (!_members.TryGetValue(_cluster.SelfUniqueAddress, out var self)) return;
        var up = self.Status == MemberStatus.Up;
        // While this node joins, every member that is up was there first; once up, the older ones were.
        foreach (var member in _members.Values.Where(m => m.Status == MemberStatus.Up && !m.UniqueAddress.Equals(self.UniqueAddress)
                                                          && (!up || m.IsOlderThan(self))))
            if (Seen(member) is { } refusal)
            {
                // The refusing member's message names the differing keys; wait a moment for it.
                _seen ??= refusal;
                ConcludeAfterGrace();
                return;
            }
        if (up) Conclude(null);
    }

    private string? Seen(Member member) =>
        NodeAdmission.Mismatch(_cluster.SelfRoles, member.Roles) is { } mismatch
            ? AdmissionGuard.Refusal(_cluster.SelfAddress, member.Address.ToString(), AdmissionGuard.Functional(member.Roles), mismatch, [])
            : null;

    private void ConcludeAfterGrace()
    {
        if (_waiting) return;
        _waiting = true;
        Timers.StartSingleTimer(GraceOver.Instance, GraceOver.Instance, Grace);
    }

    /// <summary>A removed node's reason without a message: the first up member whose admission roles differ, else that it was removed.</summary>
    private string RefusalOrRemoved()
    {
        // The cluster's own view too: a downed node shuts down, and this actor can be stopped with the refusing member's
        // MemberUp still in its mailbox while the cluster's read view has it already.
        var known = _members.Values.Concat(_cluster.State.Members);
        foreach (var member in known.Where(m => m.Status == MemberStatus.Up && !m.UniqueAddress.Equals(_cluster.SelfUniqueAddress)))
            if (Seen(member) is { } refusal)
                return refusal;
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
        // Stopped with its system (a downed node shuts down) before any verdict.
        _verdict.TrySetResult(_told ?? _seen ?? RefusalOrRemoved());
    }
}
