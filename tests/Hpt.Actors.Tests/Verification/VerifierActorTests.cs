using Akka.Actor;
using Akka.TestKit.Xunit2;
using Hpt.Actors.Protocol;
using Hpt.Actors.Tests.Doubles;
using Hpt.Actors.Verification;
using Hpt.Tasks;
using Hpt.Training.Engines;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Verification;

public sealed class VerifierActorTests(ITestOutputHelper output) : TestKit(TestConfig.Default, output: output)
{
    private sealed class ChaosScorer : IRewardScorer
    {
        public double Score(Problem problem, string response) => response switch
        {
            "hang" => Hang(),
            "throw" => throw new FormatException("unparseable"),
            _ => response == problem.Answer ? 1 : 0,
        };

        private static double Hang() { Thread.Sleep(TimeSpan.FromSeconds(30)); return 1; }
    }

    [Fact]
    public void Verifier_scores_zero_for_a_check_that_hangs_or_throws_and_still_answers()
    {
        var gate = CreateTestProbe();
        var verifier = Sys.ActorOf(VerifierActor.Props(new ChaosScorer(), Fixtures.Problem, gate.Ref, TimeSpan.FromMilliseconds(200)));
        var work = Fixtures.Work(2);
        var rollouts = new[] { "4", "hang", "throw", "4" }.Select(t => Fixtures.Rollout(t, 0)).ToArray();
        verifier.Tell(new RolloutsGenerated(work, 1, 0, "w", rollouts, 0));

        var verified = gate.ExpectMsg<GroupVerified>(TimeSpan.FromSeconds(5));
        Assert.Equal(new double[] { 1, 0, 0, 1 }, verified.Rewards); // checks after a hang still run
        Assert.Equal(2, verified.Failed);
    }

    [Fact]
    public void Verifier_pool_spreads_groups_over_its_routees()
    {
        var gate = CreateTestProbe();
        var pool = Sys.ActorOf(VerifierActor.Props(new ChaosScorer(), Fixtures.Problem, gate.Ref, TimeSpan.FromSeconds(1))
            .WithRouter(new Akka.Routing.RoundRobinPool(3)));
        for (var i = 0; i < 6; i++)
            pool.Tell(new RolloutsGenerated(Fixtures.Work(i), 1, 0, "w", [Fixtures.Rollout($"{2 * i}", 0)], 0));
        var results = gate.ReceiveN(6).Cast<GroupVerified>().ToArray();
        Assert.All(results, r => Assert.Equal(1, r.Rewards.Single()));
    }
}
