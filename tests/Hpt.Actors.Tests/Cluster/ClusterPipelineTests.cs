using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using Hpt.Actors.Cluster;
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

public sealed class ClusterPipelineTests(ITestOutputHelper output) : ClusterSpec(output)
{
    [Fact]
    public async Task A_rollout_node_crash_loses_no_prompt_and_a_late_node_gets_the_current_policy_and_work()
    {
        var settings = PipelineSettings.Default with { PromptsPerStep = 3, SamplesPerPrompt = 2, MaxStaleness = 1, TotalSteps = 8 };
        var store = new SharedWeightStore(Weights, keep: 3);
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
        void SurvivorHook(RolloutRequest _)
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
        Log($"after the crash: step {status.PolicyVersion}, workers {status.Workers}, requeued {status.Requeued}");
        Assert.Equal(2, status.Workers);
        Assert.True(status.Requeued >= 1);
        Assert.False(status.Completed);

        // Node C joins late: it must load the current policy before its first prompt, then get work.
        var versionAtJoin = status.PolicyVersion;
        var c = new FileCheckingRolloutEngine(_ => lateStarted.Set());
        await StartNode(Base with { Roles = [ClusterSettings.Rollout] }, RolloutParts(store, c), seed);

        var done = await learnerNode.WhenCompleted(TimeSpan.FromSeconds(40));
        release.Set();
        Log($"run completed at step {done.PolicyVersion}");

        Assert.Equal(8, done.PolicyVersion);
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
        var settings = PipelineSettings.Default with { PromptsPerStep = 2, SamplesPerPrompt = 2, MaxStaleness = 0, TotalSteps = 3 };
        var store = new SharedWeightStore(Weights, keep: 2);
        var learner = new CountingLearnerEngine();
        var engines = new[] { new FileCheckingRolloutEngine(), new FileCheckingRolloutEngine() };
        var parts = LearnerParts("solo", settings, learner, store) with
        {
            RolloutEngines = RolloutParts(store, engines).RolloutEngines,
        };
        var node = await StartNode(Base, parts, null);

        var done = await node.WhenCompleted(TimeSpan.FromSeconds(30));
        Assert.Equal(3, done.PolicyVersion);
        Assert.Equal([[0, 1], [2, 3], [4, 5]], learner.Batches.Select(b => b.Order().ToArray()));
        // eta = 0: every prompt of step s was sampled with policy v(s).
        Assert.All(engines.SelectMany(e => e.Generated), g => Assert.Equal(g.Seq / 2, g.Version));
        Assert.Equal([2L, 3L], store.Versions().Order());
    }

    [Fact]
    public async Task A_rollout_group_far_above_Akkas_default_frame_limit_crosses_nodes()
    {
        var first = NewSystem(Base with { Roles = [ClusterSettings.Learner] });
        var second = NewSystem(Base with { Roles = [ClusterSettings.Rollout] });
        var inbox = Inbox.Create(second);
        var target = await first.ActorSelection(inbox.Receiver.Path.ToStringWithAddress(
                Akka.Cluster.Cluster.Get(second).SelfAddress)).ResolveOne(TimeSpan.FromSeconds(10));

        // 8 responses x 4096 tokens: about 1.5 MB of JSON, twelve times Akka's default 128000-byte frame.
        var tokens = Enumerable.Range(0, 4096).ToArray();
        var rollouts = Enumerable.Range(0, 8).Select(i => new Rollout(new string('x', 4096), [1, 2, 3], tokens,
            tokens.Select(t => -t / 1000f).ToArray(), tokens.Select(_ => 3L).ToArray(), false)).ToArray();
        var group = new RolloutsGenerated(Fixtures.Work(1), 1, 3, "w", rollouts, 1.5);
        target.Tell(group);

        var received = Assert.IsType<RolloutsGenerated>(await inbox.ReceiveAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(8, received.Rollouts.Count);
        Assert.Equal(rollouts[7].BehaviourLogProbs, received.Rollouts[7].BehaviourLogProbs);
    }
}
