using Akka.Actor;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Cluster;

/// <summary>
/// Every node's door for `hpt status --cluster` (at /user/hpt-status): a <see cref="GetClusterStatus"/> from a process
/// outside the cluster is passed to the learner singleton (through this node's proxy, wherever the singleton runs) and
/// the answer goes back from this node, over the connection the asker opened (the asker is no member and need not be
/// reachable from the learner's node). If the learner does not answer in time, the asker gets
/// <see cref="ClusterStatusUnavailable"/> saying so. The asker never becomes a member: it gets no work and is no
/// routee; with TLS on it must hold the cluster's certificate to connect at all.
/// </summary>
public sealed class ClusterStatusService : ReceiveActor
{
    public const string Name = "hpt-status";

    /// <summary>The asker's wait is not trusted: bounded, so a query cannot hold an ask open for long.</summary>
    private static readonly TimeSpan Shortest = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(60);

    public ClusterStatusService(IActorRef learner)
    {
        Receive<GetClusterStatus>(query =>
        {
            // A little earlier than the asker gives up, so the reason arrives before its deadline.
            var within = TimeSpan.FromTicks(Math.Clamp(query.Within.Ticks * 3 / 4, Shortest.Ticks, Longest.Ticks));
            var self = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
            learner.Ask<object>(query with { Within = within }, within).ContinueWith(t => t.IsCompletedSuccessfully
                    ? t.Result
                    : new ClusterStatusUnavailable($"node {self} got no answer from the learner singleton within {within.TotalSeconds:0.#}s " +
                                                   "(no learner node is up, it is recovering its journal, or it is moving to another node)"))
                .PipeTo(Sender);
        });
    }

    public static Props Props(IActorRef learner) => Akka.Actor.Props.Create(() => new ClusterStatusService(learner));
}
