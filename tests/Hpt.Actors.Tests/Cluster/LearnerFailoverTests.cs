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

/// <summary>Its own class, so xunit runs it next to <see cref="ClusterPipelineTests"/> (both mostly wait on timers).</summary>
public sealed class LearnerFailoverTests(ITestOutputHelper output) : ClusterSpec(output)
{
    [Fact]
    public async Task When_the_learner_node_dies_the_singleton_resumes_on_the_next_learner_node_from_the_shared_journal()
    {
        var settings = PipelineSettings.Default with { PromptsPerStep = 3, SamplesPerPrompt = 2, MaxStaleness = 1, TotalSteps = 6 };
        var store = new SharedWeightStore(Weights, keep: 3);
        // One journal both learner nodes reach (PostgreSQL across machines; a SQLite file here).
        var journal = PersistenceConfig.Build(PersistenceSettings.Default with { Store = JournalStore.Sqlite }, Path.Combine(Weights, "run"));
        NodeParts Learner(CountingLearnerEngine engine) => LearnerParts("failover", settings, engine, store) with
        {
            Learner = () => LearnerParts("failover", settings, engine, store).Learner!() with
            {
                // No checkpoints in this spec: the engine simply continues at the journal's step.
                Restore = step => { engine.LoadCheckpoint("", step); return step; },
            },
        };
        var first = new CountingLearnerEngine();
        var second = new CountingLearnerEngine();
        var slow = new ManualResetEventSlim();
        // Two learner nodes would be a tie under keep-majority among learners: count every node (2 of 3 survive).
        var all = Base with { MajorityRole = "" };
        var oldest = await StartNode(all with { Roles = [ClusterSettings.Learner] }, Learner(first), null, journal);
        var seed = Akka.Cluster.Cluster.Get(oldest.System).SelfAddress;
        var standby = await StartNode(all with { Roles = [ClusterSettings.Learner] }, Learner(second), seed, journal);
        void Pace(RolloutRequest _) => Thread.Sleep(slow.IsSet ? 30 : 5);
        var rollout = await StartNode(all with { Roles = [ClusterSettings.Rollout] },
            RolloutParts(store, new FileCheckingRolloutEngine(Pace), new FileCheckingRolloutEngine(Pace)), seed);

        while (first.Batches.Count < 2) await Task.Delay(20);
        slow.Set();
        Log($"killing the oldest learner node after {first.Batches.Count} steps");
        await oldest.System.Terminate(); // no graceful leave: run-by-actor-system-terminate = off

        // The proxy finds the new singleton once the dead node is downed; ask until it answers.
        RunStatus? status = null;
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (status is null && DateTime.UtcNow < deadline)
        {
            try { status = await rollout.StatusAsync(TimeSpan.FromSeconds(2)); }
            catch (Akka.Actor.AskTimeoutException) { }
        }
        Assert.NotNull(status);
        Log($"new singleton answered at step {status.PolicyVersion}");
        var done = await rollout.WhenCompleted(TimeSpan.FromSeconds(30));
        Log($"run completed at step {done.PolicyVersion}");

        Assert.Equal(6, done.PolicyVersion);
        Assert.NotEmpty(second.Batches); // the second learner node trained the rest
        var final = await rollout.StatusAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, 18).Select(i => (long)i), final.TrainedSeqs);
        var events = await JournalReader.ReadAsync(standby.System, "failover", TimeSpan.FromSeconds(10));
        var trained = JournalReader.EffectiveSteps(events).SelectMany(s => s.Seqs).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 18).Select(i => (long)i), trained); // the journal: each prompt in exactly one step
    }
}
