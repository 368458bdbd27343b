using Akka.Actor;
using Akka.TestKit.Xunit2;
using Hpt.Actors.Protocol;
using Hpt.Actors.Tests.Doubles;
using Hpt.Actors.Workers;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Workers;

public sealed class RolloutWorkerActorTests(ITestOutputHelper output) : TestKit(TestConfig.Default, output: output)
{
    [Fact]
    public void Worker_asks_for_work_generates_tags_versions_and_asks_again()
    {
        var coordinator = CreateTestProbe();
        var verifiers = CreateTestProbe();
        var worker = Sys.ActorOf(RolloutWorkerActor.Props(coordinator.Ref, verifiers.Ref, () => new ScriptedRolloutEngine(), "w0"));
        var request = coordinator.ExpectMsg<RequestWork>();
        Assert.Equal("w0", request.WorkerId);

        worker.Tell(new UpdatePolicy(2, Fixtures.Snapshot(2)));
        worker.Tell(new GenerateRollouts(Fixtures.Work(7), 1, 4, MinVersion: 2));
        var group = verifiers.ExpectMsg<RolloutsGenerated>();
        Assert.Equal(4, group.Rollouts.Count);
        Assert.All(group.Rollouts, r => Assert.All(r.TokenVersions, v => Assert.Equal(2, v)));
        Assert.Equal(2, coordinator.ExpectMsg<RequestWork>().PolicyVersion);
    }

    [Fact]
    public void Worker_waits_for_the_policy_a_prompt_needs_before_generating_it()
    {
        var coordinator = CreateTestProbe();
        var verifiers = CreateTestProbe();
        var worker = Sys.ActorOf(RolloutWorkerActor.Props(coordinator.Ref, verifiers.Ref, () => new ScriptedRolloutEngine(), "w0"));
        coordinator.ExpectMsg<RequestWork>();
        worker.Tell(new GenerateRollouts(Fixtures.Work(1), 1, 2, MinVersion: 1));
        verifiers.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        worker.Tell(new UpdatePolicy(1, Fixtures.Snapshot(1)));
        var group = verifiers.ExpectMsg<RolloutsGenerated>();
        Assert.All(group.Rollouts, r => Assert.Equal(1, r.OldestVersion));
    }

    [Fact]
    public void Worker_that_crashes_hands_its_prompt_back_and_asks_for_work_again_after_restart()
    {
        var coordinator = CreateTestProbe();
        var verifiers = CreateTestProbe();
        var engines = new List<ScriptedRolloutEngine>();
        var worker = Sys.ActorOf(RolloutWorkerActor.Props(coordinator.Ref, verifiers.Ref, () =>
        {
            var e = new ScriptedRolloutEngine(w => w.Seq == 13);
            engines.Add(e);
            return e;
        }, "w0"));
        coordinator.ExpectMsg<RequestWork>();
        EventFilter.Exception<InvalidOperationException>().ExpectOne(() =>
            worker.Tell(new GenerateRollouts(Fixtures.Work(13), 1, 2, 0)));

        var failed = coordinator.ExpectMsg<RolloutsFailed>();
        Assert.Equal(13, failed.Work.Seq);
        coordinator.ExpectMsg<RequestWork>();
        Assert.Equal(2, engines.Count);
        Assert.True(engines[0].Disposed);
        verifiers.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }
}
