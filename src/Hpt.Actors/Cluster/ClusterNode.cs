using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Hpt.Training.Engines;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Cluster;

/// <summary>What a node contributes to the cluster, per role. Only the parts of the node's roles are needed.</summary>
public sealed record NodeParts
{
    /// <summary>learner: builds the run's pipeline parts when the singleton starts on this node (without rollout engines).</summary>
    public Func<PipelineParts>? Learner { get; init; }

    /// <summary>rollout: one engine per device of this node, one worker each.</summary>
    public IReadOnlyList<Func<IRolloutEngine>> RolloutEngines { get; init; } = [];

    /// <summary>verifier: the reward check of the verifier pool.</summary>
    public IRewardScorer? Scorer { get; init; }

    /// <summary>verifier: the run's problems in its data order, for the gold answers (they never reach a rollout node).</summary>
    public Hpt.Actors.Coordinator.ProblemBook? Problems { get; init; }

    public int Verifiers { get; init; } = 2;
    public TimeSpan VerifierTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Dispatcher of rollout workers and the learner; null keeps the default one (tests).</summary>
    public string? ComputeDispatcher { get; init; }

    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>learner: the run directory whose journal size and newest checkpoint `hpt status --cluster` reports.</summary>
    public string? RunDirectory { get; init; }

    /// <summary>How often idle workers re-register, so a learner singleton that moved finds them.</summary>
    public TimeSpan RegisterEvery { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// One node of a training cluster, placed by role. Every node has a proxy to the learner singleton (coordinator,
/// gate, learner on the oldest `learner` node, see <see cref="LearnerRootActor"/>). `verifier` nodes run a verifier
/// pool at /user/hpt-verifiers whose verdicts go to the gate through the proxy. `rollout` nodes run one worker per
/// device; a worker registers by pulling work (RequestWork) through the proxy, the coordinator watches it, and the
/// coordinator sends it the current policy before its first prompt. When a node dies, the split-brain resolver downs
/// it, the watch fires, and its in-flight prompts are issued again. Every node answers `hpt status --cluster` at
/// /user/hpt-status (<see cref="ClusterStatusService"/>), through the proxy.
/// </summary>
public sealed class ClusterNode
{
    public const string LearnerManagerName = "hpt-learner";
    public const string VerifierPoolName = "hpt-verifiers";
    public const string VerifierRouterName = "hpt-verifier-router";
    private const string SingletonName = "root";

    private ClusterNode(ActorSystem system, IActorRef learner, IActorRef? verifiers, IReadOnlyList<IActorRef> workers)
    {
        System = system;
        Learner = learner;
        Verifiers = verifiers;
        Workers = workers;
    }

    public ActorSystem System { get; }

    /// <summary>The proxy of the learner singleton: ask it for <see cref="RunStatus"/> or <see cref="WatchRun"/>.</summary>
    public IActorRef Learner { get; }

    public IActorRef? Verifiers { get; }
    public IReadOnlyList<IActorRef> Workers { get; }

    /// <summary>The <see cref="ActorRegistry"/> key of the learner singleton's proxy (every node has one).</summary>
    public sealed class LearnerSingleton;

    /// <summary>
    /// Adds the learner singleton to a node's Akka host: on a `learner` node its manager (the singleton, a
    /// <see cref="LearnerRootActor"/>, runs on the oldest learner node) and a proxy, elsewhere only the proxy; the proxy
    /// is registered as <see cref="LearnerSingleton"/>.
    /// </summary>
    public static AkkaConfigurationBuilder Configure(AkkaConfigurationBuilder builder, ClusterSettings settings, NodeParts parts)
    {
        var options = new ClusterSingletonOptions { Role = ClusterSettings.Learner, LogSingletonIdentificationFailure = false };
        if (!settings.Has(ClusterSettings.Learner))
            return builder.WithSingletonProxy<LearnerSingleton>(LearnerManagerName, SingletonName, options);
        var learner = parts.Learner ?? throw new ArgumentException("a learner node needs NodeParts.Learner", nameof(parts));
        return builder.WithSingleton<LearnerSingleton>(LearnerManagerName, SingletonName,
            LearnerRootActor.Props(learner, parts.ComputeDispatcher, parts.RecoveryTimeout, parts.RunDirectory), options, createProxyToo: true);
    }

    /// <summary>
    /// Starts this node's other actors once it is a member (Up) of the cluster: join first (seed nodes in the
    /// configuration, or <c>Cluster.JoinAsync</c>). The system must come from a host set up with <see cref="Configure"/>.
    /// Completes when every actor of the node's roles is started.
    /// </summary>
    public static async Task<ClusterNode> StartAsync(ActorSystem system, ClusterSettings settings, NodeParts parts, CancellationToken cancel = default)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        await up.Task.WaitAsync(cancel);
        var proxy = await ActorRegistry.For(system).GetAsync<LearnerSingleton>(cancel);
        system.ActorOf(ClusterStatusService.Props(proxy), ClusterStatusService.Name);

        IActorRef? verifiers = null;
        if (settings.EffectiveRoles.Contains(ClusterSettings.Verifier))
        {
            var scorer = parts.Scorer ?? throw new ArgumentException("a verifier node needs NodeParts.Scorer", nameof(parts));
            var problems = parts.Problems ?? throw new ArgumentException("a verifier node needs NodeParts.Problems", nameof(parts));
            verifiers = PipelineActors.StartVerifiers(system, scorer, problems, proxy, parts.Verifiers, parts.VerifierTimeout, VerifierPoolName);
        }

        IReadOnlyList<IActorRef> workers = [];
        if (settings.Has(ClusterSettings.Rollout))
        {
            if (parts.RolloutEngines.Count == 0) throw new ArgumentException("a rollout node needs at least one rollout engine", nameof(parts));
            var router = StartVerifierRouter(system);
            var self = cluster.SelfAddress;
            workers = PipelineActors.StartWorkers(system, parts.RolloutEngines, proxy, router, i => $"{self.Host}:{self.Port}/rollout-{i}",
                parts.ComputeDispatcher, parts.RegisterEvery);
        }
        return new ClusterNode(system, proxy, verifiers, workers);
    }

    /// <summary>
    /// The round-robin router of a rollout node over the verifier pools of the verifier members of this run
    /// (<see cref="VerifierRouter"/>: a member of other settings or another run gets no group, even while it is up).
    /// </summary>
    public static IActorRef StartVerifierRouter(ActorSystem system) => system.ActorOf(VerifierRouter.Props(VerifierPoolName), VerifierRouterName);

    /// <summary>
    /// Completes when the coordinator reports the run's last step, also after the learner singleton moved to another
    /// node (see <see cref="RunWatcher"/>); fails with <see cref="RunStalledException"/> when the run stalled.
    /// </summary>
    public Task<RunCompleted> WhenCompleted(TimeSpan timeout)
    {
        var done = new TaskCompletionSource<RunCompleted>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = System.ActorOf(RunWatcher.Props(Learner, done));
        return timeout == Timeout.InfiniteTimeSpan ? done.Task : WithTimeout(done.Task, timeout, watcher);
    }

    private async Task<RunCompleted> WithTimeout(Task<RunCompleted> task, TimeSpan timeout, IActorRef watcher)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        finally
        {
            System.Stop(watcher);
        }
    }

    public Task<RunStatus> StatusAsync(TimeSpan timeout) => Learner.Ask<RunStatus>(GetRunStatus.Instance, timeout);
}
