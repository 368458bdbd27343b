using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using Hpt.Actors.Cluster;
using Hpt.Actors.Engines;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;
using Hpt.Core.Advantages;
using Hpt.Core.Gating;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Cluster;

/// <summary>
/// Several ActorSystems in this process form a cluster on loopback (port 0), each one a node with its own roles.
/// A crash is simulated by shutting the victim's transport down (no graceful leave): the others see it unreachable,
/// the split-brain resolver downs it, and the coordinator's watch re-issues its prompt.
/// </summary>
public sealed class ClusterPipelineTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<ActorSystem> _systems = [];
    private readonly string _weights = Path.Combine(Path.GetTempPath(), $"hpt-cluster-{Guid.NewGuid():N}");
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private static readonly ClusterSettings Base = new()
    {
        Port = 0,
        StableAfter = TimeSpan.FromSeconds(3),
        AcceptableHeartbeatPause = TimeSpan.FromSeconds(4),
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var system in _systems) await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        if (Directory.Exists(_weights)) Directory.Delete(_weights, recursive: true);
    }

    private void Log(string message) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:0.0}s {message}");

    private ActorSystem NewSystem(ClusterSettings settings)
    {
        var config = ConfigurationFactory.ParseString("""
                akka.coordinated-shutdown.run-by-actor-system-terminate = off
                akka.coordinated-shutdown.terminate-actor-system = off
                akka.remote.log-remote-lifecycle-events = off
                akka.loglevel = INFO
                hpt.compute-dispatcher.type = PinnedDispatcher
                """)
            .WithFallback(ClusterConfig.Build(settings))
            .WithFallback(TestConfig.Default);
        var system = ActorSystem.Create(ClusterSettings.SystemName, config);
        _systems.Add(system);
        return system;
    }

    private async Task<ClusterNode> StartNode(ClusterSettings settings, NodeParts parts, Address? join)
    {
        var system = NewSystem(settings);
        var cluster = Akka.Cluster.Cluster.Get(system);
        await cluster.JoinAsync(join ?? cluster.SelfAddress).WaitAsync(TimeSpan.FromSeconds(20));
        var node = await ClusterNode.StartAsync(system, settings, parts).WaitAsync(TimeSpan.FromSeconds(20));
        Log($"node {cluster.SelfAddress} up as [{string.Join(",", settings.EffectiveRoles)}]");
        return node;
    }

    private static NodeParts LearnerParts(string runId, PipelineSettings settings, CountingLearnerEngine learner, SharedWeightStore store) => new()
    {
        Learner = () => new PipelineParts(runId, 7, settings, Fixtures.Problems(10), [],
            new SharedWeightsLearnerEngine(learner, store, FileCheckingRolloutEngine.Writer(learner)),
            new AnswerScorer(), new ThresholdGate(0, new DrGrpoAdvantage())),
        Scorer = new AnswerScorer(),
        Verifiers = 2,
    };

    private static NodeParts RolloutParts(SharedWeightStore store, params FileCheckingRolloutEngine[] engines) => new()
    {
        RolloutEngines = engines.Select(e => (Func<IRolloutEngine>)(() => new SharedWeightsRolloutEngine(e, store))).ToArray(),
        ComputeDispatcher = "hpt.compute-dispatcher",
    };

    [Fact]
    public async Task A_rollout_node_crash_loses_no_prompt_and_a_late_node_gets_the_current_policy_and_work()
    {
        var settings = new PipelineSettings { PromptsPerStep = 3, SamplesPerPrompt = 2, MaxStaleness = 1, TotalSteps = 8 };
        var store = new SharedWeightStore(_weights, keep: 3);
        var learner = new CountingLearnerEngine();
        var victimBusy = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lateStarted = new ManualResetEventSlim();
        var crashed = false;
        using var release = new ManualResetEventSlim();
        var victimCalls = 0;

        var learnerNode = await StartNode(Base with { Roles = [ClusterSettings.Learner] }, LearnerParts("cluster", settings, learner, store), null);
        var seed = Akka.Cluster.Cluster.Get(learnerNode.System).SelfAddress;

        // Node A: two devices. It starts once the victim holds a prompt, and once the victim is gone it waits
        // (bounded) for the late node, so work remains for it.
        void SurvivorHook(PromptWork _)
        {
            victimBusy.Task.Wait(TimeSpan.FromSeconds(30));
            Thread.Sleep(20);
            if (Volatile.Read(ref crashed)) lateStarted.Wait(TimeSpan.FromSeconds(20));
        }
        var a = new[] { new FileCheckingRolloutEngine(SurvivorHook), new FileCheckingRolloutEngine(SurvivorHook) };
        await StartNode(Base with { Roles = [ClusterSettings.Rollout], SeedNodes = [] }, RolloutParts(store, a), seed);

        // Node B: the victim. Its first prompt never finishes: the node dies while holding it.
        var b = new FileCheckingRolloutEngine(work =>
        {
            if (Interlocked.Increment(ref victimCalls) != 1) return;
            victimBusy.TrySetResult(work.Seq);
            release.Wait(TimeSpan.FromSeconds(60));
        });
        var victim = await StartNode(Base with { Roles = [ClusterSettings.Rollout] }, RolloutParts(store, b), seed);

        var lost = await victimBusy.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Log($"victim holds prompt {lost}; killing its transport");
        Volatile.Write(ref crashed, true);
        await ((IRemoteActorRefProvider)((ExtendedActorSystem)victim.System).Provider).Transport.Shutdown();

        // The coordinator learns of the death only through the cluster: its worker count drops to node A's two.
        var status = await learnerNode.StatusAsync(TimeSpan.FromSeconds(10));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((status.Workers != 2 || status.Requeued < 1) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            status = await learnerNode.StatusAsync(TimeSpan.FromSeconds(10));
        }
        Log($"after the crash: step {status.Step}, workers {status.Workers}, requeued {status.Requeued}");
        Assert.Equal(2, status.Workers);
        Assert.True(status.Requeued >= 1);
        Assert.False(status.Completed);

        // Node C joins late: it must load the current policy before its first prompt, then get work.
        var versionAtJoin = status.PolicyVersion;
        var c = new FileCheckingRolloutEngine(_ => lateStarted.Set());
        await StartNode(Base with { Roles = [ClusterSettings.Rollout] }, RolloutParts(store, c), seed);

        var done = await learnerNode.WhenCompleted(TimeSpan.FromSeconds(40));
        release.Set();
        Log($"run completed at step {done.Steps}");

        Assert.Equal(8, done.Steps);
        var trained = learner.Batches.SelectMany(x => x).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (long)i), trained); // every prompt, exactly once
        Assert.All(learner.Batches, batch => Assert.Equal(3, batch.Length));
        var final = await learnerNode.StatusAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(trained, final.TrainedSeqs);
        Assert.Contains(lost, trained);

        Assert.NotEmpty(c.Generated);
        Assert.True(c.Loaded.TryPeek(out var firstLoaded));
        Assert.True(firstLoaded >= versionAtJoin, $"the late node first loaded v{firstLoaded}, the run was at v{versionAtJoin}");
        Assert.All(c.Generated, g => Assert.True(g.Version >= firstLoaded));
        Assert.True(store.Versions().Count() <= 3);
    }

    [Fact]
    public async Task One_node_with_every_role_trains_the_run_through_weight_files()
    {
        var settings = new PipelineSettings { PromptsPerStep = 2, SamplesPerPrompt = 2, MaxStaleness = 0, TotalSteps = 3 };
        var store = new SharedWeightStore(_weights, keep: 2);
        var learner = new CountingLearnerEngine();
        var engines = new[] { new FileCheckingRolloutEngine(), new FileCheckingRolloutEngine() };
        var parts = LearnerParts("solo", settings, learner, store) with
        {
            RolloutEngines = RolloutParts(store, engines).RolloutEngines,
        };
        var node = await StartNode(Base, parts, null);

        var done = await node.WhenCompleted(TimeSpan.FromSeconds(30));
        Assert.Equal(3, done.Steps);
        Assert.Equal([[0, 1], [2, 3], [4, 5]], learner.Batches.Select(b => b.Order().ToArray()));
        // eta = 0: every prompt of step s was sampled with policy v(s).
        Assert.All(engines.SelectMany(e => e.Generated), g => Assert.Equal(g.Seq / 2, g.Version));
        Assert.Equal([2L, 3L], store.Versions().Order());
    }
}
