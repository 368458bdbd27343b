using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote;
using Hpt.Actors.Cluster;
using Hpt.Actors.Coordinator;
using Hpt.Training.Engines;
using Hpt.Actors.Hosting;
using Hpt.Actors.Persistence;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;
using Hpt.Core.Advantages;
using Hpt.Core.Gating;
using Xunit.Abstractions;
using Hpt.Actors.WeightPublishing;

namespace Hpt.Actors.Tests.Cluster;

/// <summary>
/// Several ActorSystems in this process form a cluster on loopback (port 0), each one a node with its own roles.
/// A rollout node's crash is simulated by shutting its transport down (no graceful leave), a learner node's by
/// terminating its system without coordinated shutdown: the others see it unreachable, the split-brain resolver
/// downs it, and the cluster carries on.
/// </summary>
public abstract class ClusterSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<ActorSystem> _systems = [];
    private readonly List<AkkaHost> _hosts = [];
    protected readonly string Weights = Path.Combine(Path.GetTempPath(), $"hpt-cluster-{Guid.NewGuid():N}");
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    protected static readonly ClusterSettings Base = ClusterSettings.Default with
    {
        Port = 0,
        StableAfter = TimeSpan.FromSeconds(3),
        AcceptableHeartbeatPause = TimeSpan.FromSeconds(4),
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var system in _systems) await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        foreach (var host in _hosts) await host.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        if (Directory.Exists(Weights)) Directory.Delete(Weights, recursive: true);
    }

    protected void Log(string message) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0}s {message}");

    /// <summary>A node's ActorSystem as `hpt node` builds it (an Akka host), without the node's actors.</summary>
    protected ActorSystem NewSystem(ClusterSettings settings, Config? extra = null) => NewHost(settings, extra, _ => { });

    private ActorSystem NewHost(ClusterSettings settings, Config? extra, Action<AkkaConfigurationBuilder> configure)
    {
        var config = ConfigurationFactory.ParseString("""
                akka.coordinated-shutdown.run-by-actor-system-terminate = off
                akka.coordinated-shutdown.terminate-actor-system = off
                akka.remote.log-remote-lifecycle-events = off
                akka.loglevel = ERROR
                hpt.compute-dispatcher.type = PinnedDispatcher
                """)
            .WithFallback(extra ?? Config.Empty)
            .WithFallback(TestConfig.Default);
        var host = AkkaHost.StartAsync(ClusterSettings.SystemName, config, akka => configure(akka.WithClusterNode(settings)),
            ClusterTls.SslSetup(settings)).GetAwaiter().GetResult();
        _hosts.Add(host);
        _systems.Add(host.System);
        return host.System;
    }

    protected async Task<ClusterNode> StartNode(ClusterSettings settings, NodeParts parts, Address? join, Config? extra = null)
    {
        var system = NewHost(settings, extra, akka => ClusterNode.Configure(akka, settings, parts));
        var cluster = Akka.Cluster.Cluster.Get(system);
        await cluster.JoinAsync(join ?? cluster.SelfAddress).WaitAsync(TimeSpan.FromSeconds(20));
        var node = await ClusterNode.StartAsync(system, settings, parts).WaitAsync(TimeSpan.FromSeconds(20));
        Log($"node {cluster.SelfAddress} up as [{string.Join(",", settings.EffectiveRoles)}]");
        return node;
    }

    protected static NodeParts LearnerParts(string runId, PipelineSettings settings, CountingLearnerEngine learner, SharedWeightStore store) => new()
    {
        Learner = () => new PipelineParts(runId, 7, settings, Fixtures.Problems(10), [],
            new SharedWeightsLearnerEngine(learner, store, FileCheckingRolloutEngine.Writer(learner)),
            new AnswerScorer(), new ThresholdGate(0, new DrGrpoAdvantage())),
        Scorer = new AnswerScorer(),
        // The verifiers' own copy of the data, in the same order as the coordinator's (same problems, same seed).
        Problems = new ProblemBook(Fixtures.Problems(10), 7),
        Verifiers = 2,
    };

    protected static NodeParts RolloutParts(SharedWeightStore store, params FileCheckingRolloutEngine[] engines) => new()
    {
        RolloutEngines = engines.Select(e => (Func<IRolloutEngine>)(() => new SharedWeightsRolloutEngine(e, store))).ToArray(),
        ComputeDispatcher = "hpt.compute-dispatcher",
    };
}
