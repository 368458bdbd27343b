using Akka.Actor;
using Akka.TestKit.Xunit2;
using Hpt.Actors.Cluster;
using Hpt.Training.Engines;
using Hpt.Actors.Protocol;
using Hpt.Actors.Tests.Cluster;
using Hpt.Actors.Tests.Doubles;
using Hpt.Actors.Workers;
using Xunit.Abstractions;
using Hpt.Actors.WeightPublishing;

namespace Hpt.Actors.Tests.WeightPublishing;

public sealed class BackgroundPolicyLoadTests(ITestOutputHelper output) : TestKit(TestConfig.Default, output: output)
{
    /// <summary>Preparation completes only when the test says so; loading is the scripted engine's.</summary>
    private sealed class GatedLoader : IRolloutEngine
    {
        private readonly ScriptedRolloutEngine _inner = new();
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public long PolicyVersion => _inner.PolicyVersion;
        public Task<PolicySnapshot> PrepareAsync(PolicySnapshot snapshot) => Release.Task.ContinueWith(_ => snapshot);
        public void LoadPolicy(PolicySnapshot snapshot) => _inner.LoadPolicy(snapshot);
        public IReadOnlyList<Rollout> Generate(RolloutRequest request) => _inner.Generate(request);
        public void Dispose() => _inner.Dispose();
    }

    [Fact]
    public void A_worker_keeps_generating_with_its_policy_while_the_next_one_loads_and_waits_only_for_prompts_that_need_it()
    {
        var coordinator = CreateTestProbe();
        var verifiers = CreateTestProbe();
        var engine = new GatedLoader();
        var worker = Sys.ActorOf(RolloutWorkerActor.Props(coordinator.Ref, verifiers.Ref, () => engine, "w0"));
        coordinator.ExpectMsg<RequestWork>();

        worker.Tell(new UpdatePolicy(Fixtures.Snapshot(1)));
        worker.Tell(new GenerateRollouts(Fixtures.Work(1), 1, 2, IssueVersion: 0));
        Assert.All(verifiers.ExpectMsg<RolloutsGenerated>().Rollouts, r => Assert.Equal(0, r.OldestVersion));

        worker.Tell(new GenerateRollouts(Fixtures.Work(2), 1, 2, IssueVersion: 1));
        verifiers.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        engine.Release.SetResult();
        var group = verifiers.ExpectMsg<RolloutsGenerated>();
        Assert.Equal(2, group.Work.Seq);
        Assert.All(group.Rollouts, r => Assert.Equal(1, r.OldestVersion));
    }

    [Fact]
    public void A_policy_that_cannot_be_loaded_hands_the_prompts_waiting_for_it_back()
    {
        var coordinator = CreateTestProbe();
        var verifiers = CreateTestProbe();
        var dir = Path.Combine(Path.GetTempPath(), $"hpt-bg-{Guid.NewGuid():N}");
        try
        {
            var store = new SharedWeightStore(dir, keep: 2);
            var file = store.Publish(1, path => File.WriteAllText(path, FileCheckingRolloutEngine.Content(1)));
            File.WriteAllText(store.PathOf(file), "torn");
            var worker = Sys.ActorOf(RolloutWorkerActor.Props(coordinator.Ref, verifiers.Ref,
                () => new SharedWeightsRolloutEngine(new FileCheckingRolloutEngine(), store), "w0"));
            coordinator.ExpectMsg<RequestWork>();

            worker.Tell(new GenerateRollouts(Fixtures.Work(4), 2, 2, IssueVersion: 1)); // waits for v1
            worker.Tell(new UpdatePolicy(new PolicySnapshot(1, file)));
            var failed = coordinator.ExpectMsg<RolloutsFailed>();
            Assert.Equal((4L, 2), (failed.Work.Seq, failed.Attempt));
            Assert.Equal(-1, coordinator.ExpectMsg<RequestWork>().PolicyVersion); // restarted, asks again without a policy
            verifiers.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
