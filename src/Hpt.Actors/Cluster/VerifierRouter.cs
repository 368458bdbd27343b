using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Hpt.Actors.Cluster;

/// <summary>
/// A rollout node's router to the verifier pools (<see cref="ClusterNode.VerifierPoolName"/>) of the verifier members
/// that belong to this run, round-robin: members that are up, reachable, and admitted by <see cref="MemberRoles.BelongsToRun"/>
/// (this node's build and generation settings, and the run of the learner singleton's node). Akka's cluster router
/// picks its routees by role alone, so a mismatched member that is up (a node of an older build, which no join check
/// stopped) would get groups until the admission guard downs it. Any message is forwarded with its sender.
/// </summary>
public sealed class VerifierRouter : ReceiveActor
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly Dictionary<UniqueAddress, Member> _members = new();
    private readonly HashSet<UniqueAddress> _unreachable = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _pool;
    private Address[] _addresses = [];
    private ActorSelection[] _routees = [];
    private int _next;
    private bool _warned;

    public VerifierRouter(string pool)
    {
        _pool = pool;
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members) _members[member.UniqueAddress] = member;
            foreach (var member in state.Unreachable) _unreachable.Add(member.UniqueAddress);
            Update();
        });
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            if (e is ClusterEvent.MemberRemoved) _members.Remove(e.Member.UniqueAddress);
            else _members[e.Member.UniqueAddress] = e.Member;
            Update();
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _unreachable.Add(e.Member.UniqueAddress);
            Update();
        });
        Receive<ClusterEvent.ReachableMember>(e =>
        {
            _unreachable.Remove(e.Member.UniqueAddress);
            Update();
        });
        ReceiveAny(message =>
        {
            if (_routees.Length == 0)
            {
                // As Akka's router: the group is lost here and the coordinator issues the prompt again after its work timeout.
                if (!_warned) _log.Warning("no verifier member of this run is up: a group is dropped (its prompt is issued again later)");
                _warned = true;
                Context.System.DeadLetters.Tell(message, Sender);
                return;
            }
            _warned = false;
            _routees[_next++ % _routees.Length].Tell(message, Sender);
        });
    }

    public static Props Props(string pool) => Akka.Actor.Props.Create(() => new VerifierRouter(pool));

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Update()
    {
        var members = _members.Values.ToArray();
        var routees = members
            .Where(m => m.Status == MemberStatus.Up && m.HasRole(ClusterSettings.Verifier) && !_unreachable.Contains(m.UniqueAddress)
                        && MemberRoles.BelongsToRun(_cluster.SelfRoles, members, m))
            .Select(m => m.Address)
            .OrderBy(a => a.ToString(), StringComparer.Ordinal)
            .ToArray();
        if (routees.SequenceEqual(_addresses)) return;
        _addresses = routees;
        _routees = routees.Select(a => Context.ActorSelection(new RootActorPath(a) / "user" / _pool)).ToArray();
        _log.Info("verifier routees: {0}", string.Join(", ", routees.Select(a => a.ToString())));
    }
}
