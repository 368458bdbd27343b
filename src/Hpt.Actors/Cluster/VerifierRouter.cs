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
    private uint _next; // unsigned: a week-long run's counter wraps without a negative index
    private bool _warned;

    /// <summary>Groups held while no verifier member of this run is up, at most <see cref="MaxWaiting"/>.</summary>
    private readonly Queue<(object Message, IActorRef Sender)> _waiting = new();
    private const int MaxWaiting = 1_000;

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
            if (_routees.Length > 0)
            {
                _routees[_next++ % (uint)_routees.Length].Tell(message, Sender);
                return;
            }
            // No routee yet (the workers start with this router, before its membership snapshot comes) or for now (the
            // verifier nodes are away): the group waits, a bounded number of them, instead of being lost until the
            // coordinator issues its prompt again after hpt.pipeline.work-timeout (a one-node cluster's run timed out
            // in a full test run when the first version of this router dropped them).
            if (_waiting.Count == MaxWaiting)
            {
                var (oldest, sender) = _waiting.Dequeue();
                Context.System.DeadLetters.Tell(oldest, sender);
                if (!_warned) _log.Warning("no verifier member of this run is up and {0} groups wait: the oldest are dropped (their prompts are issued again later)", MaxWaiting);
                _warned = true;
            }
            _waiting.Enqueue((message, Sender));
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
        if (_routees.Length == 0) return;
        _warned = false;
        while (_waiting.TryDequeue(out var waiting)) _routees[_next++ % (uint)_routees.Length].Tell(waiting.Message, waiting.Sender);
    }
}
