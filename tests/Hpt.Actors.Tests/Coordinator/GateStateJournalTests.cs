using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Gate;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;
using Hpt.Core.Advantages;
using Hpt.Core.Gating;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Coordinator;

/// <summary>A stateful gate's state travels with the decisions, is journaled with the step and comes back on resume.</summary>
public sealed class GateStateJournalTests(ITestOutputHelper output) : TestKit(TestConfig.Default, output: output)
{
    private static readonly PipelineSettings TwoPerStep = PipelineSettings.Default with { PromptsPerStep = 2, SamplesPerPrompt = 2, MaxStaleness = 0, TotalSteps = 4 };

    private IActorRef Start(string runId) => Sys.ActorOf(CoordinatorActor.Props(runId, TwoPerStep, Fixtures.Problems(10), seed: 1));

    private static GenerateRollouts Issue(IActorRef coordinator, TestProbe worker, long version)
    {
        coordinator.Tell(new RequestWork(worker.Ref, "w", version), worker.Ref);
        return worker.ExpectMsg<GenerateRollouts>();
    }

    private static Dictionary<string, double> State(double gamma) => new() { ["gamma"] = gamma, ["step"] = 1, ["expert-rows"] = 0, ["total-rows"] = 0 };

    private async Task<IActorRef> Restart(IActorRef coordinator, string runId)
    {
        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator);
        var revived = Start(runId);
        await revived.Ask<RunStatus>(GetRunStatus.Instance);
        return revived;
    }

    [Fact]
    public async Task Gate_state_is_journaled_with_each_step_and_restored_with_the_step_a_resume_goes_back_to()
    {
        var coordinator = Start("gate-state");
        var worker = CreateTestProbe();
        for (long step = 1; step <= 2; step++)
        {
            var a = Issue(coordinator, worker, step - 1);
            var b = Issue(coordinator, worker, step - 1);
            coordinator.Tell(new PolicyPublished(Fixtures.Snapshot(step)));
            coordinator.Tell(new StepCompleted(step, [a.Work.Seq, b.Work.Seq], Fixtures.Metrics(step)) { GateState = State(0.1 * step) });
            worker.ExpectMsg<UpdatePolicy>();
        }

        var revived = await Restart(coordinator, "gate-state");
        Assert.Equal(0.2, (await revived.Ask<RunStatus>(GetRunStatus.Instance)).GateState!["gamma"]);
        // Rolled back to the checkpoint of step 1: the gate goes back to what it was after step 1.
        Assert.Equal(0.1, (await revived.Ask<RunStatus>(new ResumeFrom(1))).GateState!["gamma"]);
        revived = await Restart(revived, "gate-state");
        Assert.Equal(0.1, (await revived.Ask<RunStatus>(GetRunStatus.Instance)).GateState!["gamma"]);
    }

    [Fact]
    public async Task Journaled_groups_reach_a_resumed_gate_in_the_order_the_first_gate_saw_them()
    {
        var coordinator = Start("gate-order");
        var gate = CreateTestProbe();
        coordinator.Tell(new GateReady(gate.Ref));
        var worker = CreateTestProbe();
        var first = Issue(coordinator, worker, 0);
        var second = Issue(coordinator, worker, 0);
        foreach (var work in new[] { second, first }) // the later prompt finished first
        {
            coordinator.Tell(new GroupVerified(new RolloutsGenerated(work.Work, work.Attempt, 0, "w", [Fixtures.Rollout("x", 0)], 0), [1.0], 0, 0));
            gate.ExpectMsg<GroupScored>();
        }

        var revived = await Restart(coordinator, "gate-order");
        var newGate = CreateTestProbe();
        revived.Tell(new GateReady(newGate.Ref));
        Assert.Equal(second.Work.Seq, newGate.ExpectMsg<GroupScored>().Verified.Group.Work.Seq);
        Assert.Equal(first.Work.Seq, newGate.ExpectMsg<GroupScored>().Verified.Group.Work.Seq);
    }

    [Fact]
    public void Gate_actor_sends_each_decision_with_its_order_and_the_gate_state_after_it()
    {
        var learner = CreateTestProbe();
        var policy = new TargetRatioGate(0.5, 0.0, 1.0, new GrpoAdvantage());
        var gate = Sys.ActorOf(GateActor.Props(policy, learner.Ref));
        for (long seq = 0; seq < 3; seq++)
        {
            var work = Fixtures.Work(seq);
            // Step 1 all wrong (the expert replaces the rollouts), then a prompt of step 2 closes step 1 and moves gamma.
            var group = new GroupVerified(new RolloutsGenerated(work, 1, seq < 2 ? 1 : 2, "w", [Fixtures.Rollout("x", 0)], 0), [0.0], 1, 0);
            gate.Tell(new GroupScored(seq, 1, Fixtures.Problem(seq), group));
            var decision = learner.ExpectMsg<TrainOnPrompt>();
            Assert.Equal(seq + 1, decision.GateOrdinal);
            Assert.Equal(policy.ExportState(), decision.GateState);
        }
        Assert.Equal(0.0, policy.Gamma); // target 0, observed 1: gamma 0.5 -> 0 once step 1 closed
    }
}
