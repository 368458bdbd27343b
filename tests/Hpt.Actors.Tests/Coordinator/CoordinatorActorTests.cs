using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Coordinator;

public sealed class CoordinatorActorTests(ITestOutputHelper output) : TestKit(TestConfig.Default, output: output)
{
    private static readonly PipelineSettings TwoPerStep = PipelineSettings.Default with { PromptsPerStep = 2, SamplesPerPrompt = 2, MaxStaleness = 0, TotalSteps = 3 };

    private IActorRef Start(PipelineSettings settings, string runId) =>
        Sys.ActorOf(CoordinatorActor.Props(runId, settings, Fixtures.Problems(10), seed: 1));

    private static GenerateRollouts RequestAndExpect(IActorRef coordinator, TestProbe worker, string id, long version = 0)
    {
        coordinator.Tell(new RequestWork(worker.Ref, id, version), worker.Ref);
        return worker.ExpectMsg<GenerateRollouts>();
    }

    [Fact]
    public void Coordinator_issues_at_most_one_step_of_prompts_when_staleness_is_zero()
    {
        var coordinator = Start(TwoPerStep, "cap0");
        var workers = Enumerable.Range(0, 3).Select(_ => CreateTestProbe()).ToArray();
        foreach (var (w, i) in workers.Select((w, i) => (w, i)))
            coordinator.Tell(new RequestWork(w.Ref, $"w{i}", 0), w.Ref);

        var issued = workers.Take(2).Select(w => w.ExpectMsg<GenerateRollouts>()).ToArray();
        workers[2].ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(new long[] { 0, 1 }, issued.Select(g => g.Work.Seq).Order());

        // The step completes: version 1 exists, so one more step of prompts may go out.
        coordinator.Tell(new PolicyPublished(Fixtures.Snapshot(1)));
        coordinator.Tell(new StepCompleted(1, [0, 1], Fixtures.Metrics(1)));
        var update = workers[2].ExpectMsg<UpdatePolicy>();
        Assert.Equal(1, update.Snapshot.Version);
        var next = workers[2].ExpectMsg<GenerateRollouts>();
        Assert.Equal(2, next.Work.Seq);
        Assert.Equal(1, next.IssueVersion);
    }

    [Fact]
    public void Coordinator_issues_eta_plus_one_steps_ahead_when_staleness_is_one()
    {
        var coordinator = Start(TwoPerStep with { MaxStaleness = 1 }, "cap1");
        var worker = CreateTestProbe();
        var seqs = new List<long>();
        for (var i = 0; i < 4; i++) seqs.Add(RequestAndExpect(coordinator, worker, "w").Work.Seq);
        coordinator.Tell(new RequestWork(worker.Ref, "w", 0), worker.Ref);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Equal(new long[] { 0, 1, 2, 3 }, seqs);
    }

    [Fact]
    public async Task Over_provisioned_prompts_start_beyond_the_step_carry_over_into_the_next_and_survive_a_restart_once()
    {
        var settings = TwoPerStep with { OverProvision = 1, TotalSteps = 2 };
        var coordinator = Start(settings, "overprov");
        coordinator.Tell(new WatchRun(TestActor));
        var worker = CreateTestProbe();
        // eta 0, B 2, k 1: three prompts at version 0, then nothing.
        var first = Enumerable.Range(0, 3).Select(_ => RequestAndExpect(coordinator, worker, "w").Work.Seq).ToArray();
        Assert.Equal(new long[] { 0, 1, 2 }, first);
        coordinator.Tell(new RequestWork(worker.Ref, "w", 0), worker.Ref);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // Step 1 trains the two that finished first; prompt 1 is still generating and carries over.
        coordinator.Tell(new PolicyPublished(Fixtures.Snapshot(1)));
        coordinator.Tell(new StepCompleted(1, [0, 2], Fixtures.Metrics(1)));
        worker.ExpectMsg<UpdatePolicy>();
        // Capacity (1 + 0 + 1) x 2 + 1 = 5 with 3 accepted, but the run has 4 prompts: only prompt 3 goes out (on the
        // credit left from the refused request), and prompt 1 is not issued again.
        Assert.Equal(3, worker.ExpectMsg<GenerateRollouts>().Work.Seq);
        coordinator.Tell(new RequestWork(worker.Ref, "w", 1), worker.Ref);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // A restart now: every in-flight prompt (the carried-over one included) is issued again exactly once.
        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator);
        var revived = Start(settings, "overprov");
        revived.Tell(new WatchRun(TestActor));
        var status = await revived.Ask<RunStatus>(GetRunStatus.Instance);
        Assert.Equal(new long[] { 0, 2 }, status.TrainedSeqs);
        var again = Enumerable.Range(0, 2).Select(_ => RequestAndExpect(revived, worker, "w2", 1).Work.Seq).Order().ToArray();
        Assert.Equal(new long[] { 1, 3 }, again);
        revived.Tell(new RequestWork(worker.Ref, "w2", 1), worker.Ref);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        // Step 2 trains the carried-over prompt with the last one: every prompt trained once.
        revived.Tell(new PolicyPublished(Fixtures.Snapshot(2)));
        revived.Tell(new StepCompleted(2, [1, 3], Fixtures.Metrics(2)));
        Assert.Equal(2, ExpectMsg<RunCompleted>().PolicyVersion);
        status = await revived.Ask<RunStatus>(GetRunStatus.Instance);
        Assert.Equal(new long[] { 0, 1, 2, 3 }, status.TrainedSeqs);
        Assert.Equal(0, status.InFlight);
    }

    [Fact]
    public void Coordinator_reissues_the_prompt_of_a_failed_worker_with_a_new_attempt()
    {
        var coordinator = Start(TwoPerStep, "fail");
        var worker = CreateTestProbe();
        var first = RequestAndExpect(coordinator, worker, "w");
        coordinator.Tell(new RolloutsFailed(first.Work, first.Attempt, "w", "boom"), worker.Ref);
        var again = RequestAndExpect(coordinator, worker, "w");
        Assert.Equal(first.Work.Seq, again.Work.Seq);
        Assert.Equal(first.Attempt + 1, again.Attempt);
    }

    [Fact]
    public void Coordinator_reissues_the_prompt_of_a_worker_that_stopped()
    {
        var coordinator = Start(TwoPerStep, "stop");
        var doomed = CreateTestProbe();
        var first = RequestAndExpect(coordinator, doomed, "doomed");
        Sys.Stop(doomed.Ref);
        var survivor = CreateTestProbe();
        var seqs = new[] { RequestAndExpect(coordinator, survivor, "s").Work.Seq, RequestAndExpect(coordinator, survivor, "s").Work.Seq };
        Assert.Contains(first.Work.Seq, seqs);
    }

    [Fact]
    public void Coordinator_returns_a_too_stale_prompt_to_the_queue()
    {
        var coordinator = Start(TwoPerStep, "stale");
        var worker = CreateTestProbe();
        var first = RequestAndExpect(coordinator, worker, "w");
        coordinator.Tell(new PromptTooStale(first.Work, first.Attempt, 0, 5));
        var again = RequestAndExpect(coordinator, worker, "w");
        Assert.Equal(first.Work.Seq, again.Work.Seq);
        Assert.Equal(2, again.Attempt);
    }

    [Fact]
    public async Task Coordinator_reports_completion_after_the_last_step_and_every_prompt_trained_once()
    {
        var settings = TwoPerStep with { TotalSteps = 2 };
        var coordinator = Start(settings, "done");
        coordinator.Tell(new WatchRun(TestActor));
        var worker = CreateTestProbe();
        for (long step = 1; step <= 2; step++)
        {
            var a = RequestAndExpect(coordinator, worker, "w", step - 1);
            var b = RequestAndExpect(coordinator, worker, "w", step - 1);
            coordinator.Tell(new PolicyPublished(Fixtures.Snapshot(step)));
            coordinator.Tell(new StepCompleted(step, [a.Work.Seq, b.Work.Seq], Fixtures.Metrics(step)));
            if (step < 2) worker.ExpectMsg<UpdatePolicy>();
        }
        var done = ExpectMsg<RunCompleted>();
        Assert.Equal(2, done.PolicyVersion);
        var status = await coordinator.Ask<RunStatus>(GetRunStatus.Instance);
        Assert.Equal(new long[] { 0, 1, 2, 3 }, status.TrainedSeqs);
        Assert.Equal(0, status.InFlight);
    }

    [Fact]
    public async Task Coordinator_recovers_its_state_and_reissues_in_flight_prompts_after_a_restart()
    {
        var coordinator = Start(TwoPerStep, "recover");
        var worker = CreateTestProbe();
        var a = RequestAndExpect(coordinator, worker, "w");
        var b = RequestAndExpect(coordinator, worker, "w");
        coordinator.Tell(new PolicyPublished(Fixtures.Snapshot(1)));
        coordinator.Tell(new StepCompleted(1, [a.Work.Seq, b.Work.Seq], Fixtures.Metrics(1)));
        worker.ExpectMsg<UpdatePolicy>();
        var c = RequestAndExpect(coordinator, worker, "w", 1);
        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator);

        var revived = Start(TwoPerStep, "recover");
        var status = await revived.Ask<RunStatus>(GetRunStatus.Instance);
        Assert.Equal(1, status.PolicyVersion);
        Assert.Equal(new long[] { 0, 1 }, status.TrainedSeqs);
        var again = RequestAndExpect(revived, worker, "w", 1);
        Assert.Equal(c.Work.Seq, again.Work.Seq);
    }

    [Fact]
    public async Task Coordinator_rolls_back_to_the_checkpoint_step_and_issues_the_later_prompts_again()
    {
        var coordinator = Start(TwoPerStep with { TotalSteps = 4 }, "rollback");
        var worker = CreateTestProbe();
        for (long step = 1; step <= 2; step++)
        {
            var a = RequestAndExpect(coordinator, worker, "w", step - 1);
            var b = RequestAndExpect(coordinator, worker, "w", step - 1);
            coordinator.Tell(new PolicyPublished(Fixtures.Snapshot(step)));
            coordinator.Tell(new StepCompleted(step, [a.Work.Seq, b.Work.Seq], Fixtures.Metrics(step)));
            worker.ExpectMsg<UpdatePolicy>();
        }

        var status = await coordinator.Ask<RunStatus>(new ResumeFrom(1));
        Assert.Equal(1, status.PolicyVersion);
        Assert.Equal(1, status.PolicyVersion);
        Assert.Equal(new long[] { 0, 1 }, status.TrainedSeqs);
        Assert.Equal(2, RequestAndExpect(coordinator, worker, "w", 1).Work.Seq);

        // The rollback is journaled: a restarted coordinator sees the same effective history.
        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator);
        var revived = await Start(TwoPerStep with { TotalSteps = 4 }, "rollback").Ask<RunStatus>(GetRunStatus.Instance);
        Assert.Equal(1, revived.PolicyVersion);
        Assert.Equal(new long[] { 0, 1 }, revived.TrainedSeqs);
        Assert.Equal(0, revived.InFlight);
    }

    [Fact]
    public async Task Coordinator_journals_verified_groups_and_after_a_restart_hands_them_to_the_gate_without_reissuing()
    {
        var coordinator = Start(TwoPerStep, "scored");
        var gate = CreateTestProbe();
        coordinator.Tell(new GateReady(gate.Ref));
        var worker = CreateTestProbe();
        var a = RequestAndExpect(coordinator, worker, "w");
        var b = RequestAndExpect(coordinator, worker, "w");
        var verified = new GroupVerified(new RolloutsGenerated(a.Work, a.Attempt, 0, "w", [Fixtures.Rollout("x", 0)], 0), [1.0], 0, 0);
        coordinator.Tell(verified);
        Assert.Equal(a.Work.Seq, gate.ExpectMsg<GroupScored>().Verified.Group.Work.Seq); // forwarded once journaled

        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator);
        var revived = Start(TwoPerStep, "scored");
        var status = await revived.Ask<RunStatus>(GetRunStatus.Instance);
        Assert.Equal(1, status.InFlight); // a's group survives; b's generation was lost and is issued again
        var newGate = CreateTestProbe();
        revived.Tell(new GateReady(newGate.Ref));
        var replayed = newGate.ExpectMsg<GroupScored>();
        Assert.Equal(a.Work.Seq, replayed.Verified.Group.Work.Seq);
        Assert.Equal([1.0], replayed.Verified.Rewards);
        var again = RequestAndExpect(revived, worker, "w");
        Assert.Equal(b.Work.Seq, again.Work.Seq);
        revived.Tell(new RequestWork(worker.Ref, "w", 0), worker.Ref);
        worker.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // a is not issued again: its group is already verified
    }

    [Fact]
    public void Coordinator_drops_a_verdict_for_an_attempt_that_is_no_longer_current()
    {
        var coordinator = Start(TwoPerStep, "stale-verdict");
        var gate = CreateTestProbe();
        coordinator.Tell(new GateReady(gate.Ref));
        var worker = CreateTestProbe();
        var first = RequestAndExpect(coordinator, worker, "w");
        coordinator.Tell(new RolloutsFailed(first.Work, first.Attempt, "w", "boom"), worker.Ref);
        RequestAndExpect(coordinator, worker, "w"); // attempt 2 issued
        coordinator.Tell(new GroupVerified(new RolloutsGenerated(first.Work, first.Attempt, 0, "w", [Fixtures.Rollout("x", 0)], 0), [0.0], 0, 0));
        gate.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
    [Fact]
    public void Coordinator_sends_a_worker_as_many_prompts_as_its_credits_and_reissues_all_of_them_when_it_stops()
    {
        var coordinator = Start(TwoPerStep with { MaxStaleness = 1 }, "credits"); // admission allows 4 prompts
        var doomed = CreateTestProbe();
        coordinator.Tell(new RequestWork(doomed.Ref, "doomed", 0) { Credits = 3, Fresh = true }, doomed.Ref);
        var held = Enumerable.Range(0, 3).Select(_ => doomed.ExpectMsg<GenerateRollouts>()).ToArray();
        doomed.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // a fourth is allowed by admission, but not asked for
        // It delivers prompt 0 and asks for nothing more, then stops holding 1 and 2.
        coordinator.Tell(new RequestWork(doomed.Ref, "doomed", 0) { Credits = 0, Delivered = [new PromptAttempt(held[0].Work.Seq, held[0].Attempt)] }, doomed.Ref);
        Sys.Stop(doomed.Ref);

        var survivor = CreateTestProbe();
        coordinator.Tell(new RequestWork(survivor.Ref, "s", 0) { Credits = 3, Fresh = true }, survivor.Ref);
        var reissued = Enumerable.Range(0, 3).Select(_ => survivor.ExpectMsg<GenerateRollouts>()).ToArray();
        survivor.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // 0 (delivered) + 1, 2 again + 3 fresh = the 4 admission allows
        Assert.Contains(reissued, g => g.Work.Seq == held[1].Work.Seq && g.Attempt == 2);
        Assert.Contains(reissued, g => g.Work.Seq == held[2].Work.Seq && g.Attempt == 2);
        Assert.DoesNotContain(reissued, g => g.Work.Seq == held[0].Work.Seq);
        Assert.Contains(reissued, g => g.Work.Seq == 3 && g.Attempt == 1);
    }
}
