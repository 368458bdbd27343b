using Akka.Actor;
using Hpt.Actors.Coordinator;
using Akka.TestKit.Xunit2;
using Hpt.Training.Engines;
using Hpt.Actors.Gate;
using Hpt.Actors.Learner;
using Hpt.Actors.Protocol;
using Hpt.Actors.Tests.Doubles;
using Hpt.Core.Advantages;
using Hpt.Core.Gating;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Gate;

public sealed class GateActorTests(ITestOutputHelper output) : TestKit(TestConfig.Default, output: output)
{
    private static GroupScored Verified(params double[] rewards)
    {
        var rollouts = rewards.Select((r, i) => Fixtures.Rollout(r > 0 ? "4" : $"bad{i}", 0)).ToArray();
        return Fixtures.Scored(2, rollouts, rewards);
    }

    private IActorRef Gate(double gamma, Learner learner) =>
        Sys.ActorOf(GateActor.Props(new ThresholdGate(gamma, new DrGrpoAdvantage()), learner.Ref));

    private sealed record Learner(IActorRef Ref);

    [Fact]
    public void Gate_routes_prompt_to_sft_when_accuracy_at_threshold()
    {
        var learner = CreateTestProbe();
        var gate = Gate(0.25, new Learner(learner.Ref));
        gate.Tell(Verified(1, 1, 0, 0, 0, 0, 0, 0)); // P = 2/8 = gamma

        var item = learner.ExpectMsg<TrainOnPrompt>();
        Assert.Equal(GateRoute.ExpertOnly, item.Route);
        var row = Assert.Single(item.Rows);
        Assert.True(row.IsExpert);
        Assert.Equal("4", row.ExpertText);
        Assert.Equal(1.0, row.SftWeight);
        Assert.Equal(0.25, item.Accuracy);
        // The dropped rollouts' policy versions stay in the provenance.
        Assert.Equal(0, item.Versions.Oldest);
        Assert.Equal(0, item.Versions.Newest);
    }

    [Fact]
    public void Gate_routes_prompt_to_rl_when_accuracy_above_threshold()
    {
        var learner = CreateTestProbe();
        var gate = Gate(0.25, new Learner(learner.Ref));
        gate.Tell(Verified(1, 1, 1, 0, 0, 0, 0, 0)); // P = 3/8 > gamma

        var item = learner.ExpectMsg<TrainOnPrompt>();
        Assert.Equal(GateRoute.RlOnly, item.Route);
        Assert.Equal(8, item.Rows.Count);
        Assert.All(item.Rows, r => Assert.False(r.IsExpert));
        // Dr.GRPO: reward minus the group mean, no std.
        Assert.Equal(1 - 3.0 / 8, item.Rows[0].Advantage, 12);
        Assert.Equal(-3.0 / 8, item.Rows[7].Advantage, 12);
    }

    [Fact]
    public void Gate_with_gamma_zero_sends_only_all_wrong_groups_to_sft()
    {
        var learner = CreateTestProbe();
        var gate = Gate(0, new Learner(learner.Ref));
        gate.Tell(Verified(0, 0, 0, 0));
        gate.Tell(Verified(0, 0, 0, 1));
        Assert.Equal(GateRoute.ExpertOnly, learner.ExpectMsg<TrainOnPrompt>().Route);
        Assert.Equal(GateRoute.RlOnly, learner.ExpectMsg<TrainOnPrompt>().Route);
    }

    /// <summary>
    /// Every response hit the token limit and all were wrong: the group goes to SFT, its rollouts are dropped, and the
    /// step's truncation rate must still read 1 (it read 0 when only the kept rows were counted).
    /// </summary>
    [Fact]
    public void Truncation_rate_counts_every_rollout_also_of_sft_routed_groups()
    {
        var learner = CreateTestProbe();
        var gate = Gate(0, new Learner(learner.Ref));
        var cut = Enumerable.Range(0, 4).Select(i => Fixtures.Rollout($"bad{i}", 0) with { Truncated = true }).ToArray();
        var half = cut.Select((r, i) => r with { Truncated = i % 2 == 0 }).ToArray();
        gate.Tell(Fixtures.Scored(2, cut, [0, 0, 0, 0]));
        gate.Tell(Fixtures.Scored(3, half, [1, 0, 0, 0]));
        var sft = learner.ExpectMsg<TrainOnPrompt>();
        var rl = learner.ExpectMsg<TrainOnPrompt>();
        Assert.Equal(GateRoute.ExpertOnly, sft.Route);
        Assert.Equal(GateRoute.RlOnly, rl.Route);

        var result = new LearnerStepResult(0, 0, 0, 0, 0, false, 5, 0);
        Assert.Equal(1.0, StepMetricsBuilder.Build(1, [sft], [0], result, 0, 0, 0).TruncationRate, 12);
        Assert.Equal(0.75, StepMetricsBuilder.Build(1, [sft, rl], [0, 0], result, 0, 0, 0).TruncationRate, 12);
    }
}
