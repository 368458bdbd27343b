using Akka.Actor;
using Akka.Cluster;
using Hpt.Actors.Hosting;

namespace Hpt.Actors.Cluster;

/// <summary>
/// On a node without the learner role: when the last learner member leaves the cluster (crashed and downed, or
/// stopped), this node has nothing to do and no way to learn that the run ended, so it reports <see cref="RunFailed"/>
/// and the process exits with one line. Restarting the nodes is the operator's job (or their supervisor's): a
/// restarted learner resumes from its journal and waits for rollout nodes to join it again.
/// </summary>
public sealed class LearnerPresence : ReceiveActor
{
    public LearnerPresence()
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            if (!removed.Member.HasRole(ClusterSettings.Learner)) return;
            var learners = cluster.State.Members.Where(m => m.HasRole(ClusterSettings.Learner) && m.Status == MemberStatus.Up).ToArray();
            if (learners.Length > 0) return;
            Context.System.EventStream.Publish(new RunFailed(
                $"the learner node {removed.Member.Address} left the cluster ({removed.PreviousStatus}) and no other learner node is up; " +
                "this node stops too: start the learner node again (it resumes from its journal), then the rollout nodes"));
        });
        cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.MemberRemoved));
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new LearnerPresence());

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
