using Akka.Actor;
using Akka.Cluster;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Cluster;

/// <summary>
/// Waits for the run's end on a cluster node. A watch registered with the learner singleton dies with it, so the watch
/// is registered again whenever a learner node leaves the membership (the singleton moves) and every half minute as a
/// fallback; the coordinator keeps a set of watchers, so repeating it is harmless.
/// </summary>
public sealed class RunWatcher : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan Again = TimeSpan.FromSeconds(30);

    public ITimerScheduler Timers { get; set; } = null!;

    public RunWatcher(IActorRef learnerProxy, TaskCompletionSource<RunCompleted> done)
    {
        Receive<Register>(_ => learnerProxy.Tell(new WatchRun(Self)));
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            // The new singleton needs a moment to start; the proxy buffers until it is found.
            if (removed.Member.HasRole(ClusterSettings.Learner)) learnerProxy.Tell(new WatchRun(Self));
        });
        Receive<RunCompleted>(completed =>
        {
            done.TrySetResult(completed);
            Context.Stop(Self);
        });
        Receive<RunStalled>(stalled =>
        {
            done.TrySetException(new RunStalledException(stalled.Reason));
            Context.Stop(Self);
        });
    }

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberRemoved));
        Self.Tell(Register.Instance);
        Timers.StartPeriodicTimer("again", Register.Instance, Again);
    }

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    public static Props Props(IActorRef learnerProxy, TaskCompletionSource<RunCompleted> done) =>
        Akka.Actor.Props.Create(() => new RunWatcher(learnerProxy, done));

    private sealed class Register
    {
        public static readonly Register Instance = new();
    }
}
