using Akka.Actor;
using Akka.TestKit.Xunit2;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Persistence;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Coordinator;

/// <summary>Nothing stalls silently: lost verdicts are re-issued after the work deadline, and a run without steps is reported and stopped.</summary>
public sealed class CoordinatorWatchdogTests(ITestOutputHelper output) : TestKit(TestConfig.Default, output: output)
{
    private static readonly PipelineSettings Settings = PipelineSettings.Default with
    {
        PromptsPerStep = 2, SamplesPerPrompt = 2, MaxStaleness = 0, TotalSteps = 3,
        WorkTimeout = TimeSpan.FromMilliseconds(400), StallWarning = TimeSpan.FromMinutes(10), StallAbort = TimeSpan.Zero,
    };

    private IActorRef Start(PipelineSettings settings, string runId) =>
        Sys.ActorOf(CoordinatorActor.Props(runId, settings, Fixtures.Problems(10), seed: 1));

    [Fact]
    public async Task A_prompt_whose_verdict_never_comes_is_issued_again_after_the_work_timeout_with_a_journaled_reason()
    {
        var coordinator = Start(Settings, "deadline");
        var lost = CreateTestProbe();
        coordinator.Tell(new RequestWork(lost.Ref, "lost-worker", 0), lost.Ref);
        var first = lost.ExpectMsg<GenerateRollouts>();
        // The worker passed the group on (it asks for more work) but the verdict is lost on the way.
        coordinator.Tell(new RequestWork(lost.Ref, "lost-worker", 0), lost.Ref);
        var second = lost.ExpectMsg<GenerateRollouts>();

        var other = CreateTestProbe();
        coordinator.Tell(new RequestWork(other.Ref, "other", 0), other.Ref);
        other.ExpectNoMsg(TimeSpan.FromMilliseconds(150)); // capacity is used up by the two lost prompts ...
        var again = other.ExpectMsg<GenerateRollouts>(TimeSpan.FromSeconds(5)); // ... until the deadline returns them
        Assert.Contains(again.Work.Seq, new[] { first.Work.Seq, second.Work.Seq });
        Assert.Equal(2, again.Attempt);

        var journal = await JournalReader.ReadAsync(Sys, "deadline", TimeSpan.FromSeconds(10));
        var returned = journal.OfType<PromptReturned>().ToArray();
        Assert.Contains(returned, r => r.Seq == first.Work.Seq && r.Reason.Contains("hpt.pipeline.work-timeout") && r.Reason.Contains("lost-worker"));

        // A verdict for the timed-out attempt that arrives late is dropped: the new attempt is the current one.
        var gate = CreateTestProbe();
        coordinator.Tell(new GateReady(gate.Ref));
        coordinator.Tell(new GroupVerified(new RolloutsGenerated(again.Work, 1, 0, "lost-worker", [Fixtures.Rollout("x", 0)], 0), [1.0], 0, 0));
        gate.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_verified_group_waiting_for_the_learner_is_not_timed_out()
    {
        var coordinator = Start(Settings, "waiting");
        var gate = CreateTestProbe();
        coordinator.Tell(new GateReady(gate.Ref));
        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "w", 0), worker.Ref);
        var work = worker.ExpectMsg<GenerateRollouts>();
        coordinator.Tell(new GroupVerified(new RolloutsGenerated(work.Work, work.Attempt, 0, "w", [Fixtures.Rollout("x", 0)], 0), [1.0], 0, 0));
        gate.ExpectMsg<GroupScored>();
        var other = CreateTestProbe();
        coordinator.Tell(new RequestWork(other.Ref, "other", 0), other.Ref);
        var next = other.ExpectMsg<GenerateRollouts>(); // the second prompt of the step
        Assert.NotEqual(work.Work.Seq, next.Work.Seq);
        coordinator.Tell(new RequestWork(other.Ref, "other", 0), other.Ref);
        // Only the unverified one comes back after the deadline.
        var reissued = other.ExpectMsg<GenerateRollouts>(TimeSpan.FromSeconds(5));
        Assert.Equal(next.Work.Seq, reissued.Work.Seq);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(800));
    }

    [Fact]
    public void A_run_without_steps_past_the_stall_limit_tells_its_watchers_what_each_role_was_doing()
    {
        var settings = Settings with
        {
            WorkTimeout = TimeSpan.FromMinutes(10), StallWarning = TimeSpan.FromMilliseconds(200), StallAbort = TimeSpan.FromMilliseconds(700),
        };
        var coordinator = Start(settings, "stall");
        var worker = CreateTestProbe();
        coordinator.Tell(new RequestWork(worker.Ref, "stuck-worker", 0), worker.Ref);
        var work = worker.ExpectMsg<GenerateRollouts>();
        var reports = CreateTestProbe();
        Sys.EventStream.Subscribe(reports.Ref, typeof(PipelineReport));
        var watcher = CreateTestProbe();
        coordinator.Tell(new WatchRun(watcher.Ref));

        var stalled = watcher.ExpectMsg<RunStalled>(TimeSpan.FromSeconds(5));
        Assert.Contains("hpt.pipeline.stall-abort", stalled.Reason);
        Assert.Contains($"stuck-worker (v0): prompt {work.Work.Seq}#1", stalled.Reason);
        var report = reports.FishForMessage<PipelineReport>(r => r.Stalled is not null, TimeSpan.FromSeconds(5));
        Assert.Equal(0, report.PolicyVersion);
        Assert.Equal(work.Work.Seq, Assert.Single(Assert.Single(report.Workers).Prompts).Seq);
        watcher.ExpectNoMsg(TimeSpan.FromMilliseconds(500)); // said once

        // A watcher that registers after the report hears it at once (it used to wait forever: seen as this test
        // timing out on a loaded machine, where the watcher above registered after the 700 ms limit).
        var late = CreateTestProbe();
        coordinator.Tell(new WatchRun(late.Ref));
        Assert.Equal(stalled.Reason, late.ExpectMsg<RunStalled>(TimeSpan.FromSeconds(5)).Reason);
    }
}
