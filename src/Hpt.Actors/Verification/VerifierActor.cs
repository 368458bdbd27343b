using Akka.Actor;
using Akka.Event;
using Hpt.Training.Engines;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Protocol;
using Hpt.Tasks;

namespace Hpt.Actors.Verification;

/// <summary>
/// Scores a group's rollouts. Each check is time-bounded: one that hangs or throws scores 0 with a warning, so a
/// pathological response never stalls the pipeline. Used behind a pool router.
/// </summary>
public sealed class VerifierActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly BoundedCheck _checks = new();

    public VerifierActor(IRewardScorer scorer, Func<long, Problem> problems, IActorRef verdicts, TimeSpan timeout)
    {
        Receive<RolloutsGenerated>(group =>
        {
            // The gold answer and the demonstration are this side's own, looked up by seq: the rollout side never had them.
            var problem = problems(group.Work.Seq);
            // One job for the group's checks (the rollouts, then the demonstration): one hand-over to the check thread.
            var checks = new List<Func<double>>(group.Rollouts.Count + 1);
            foreach (var rollout in group.Rollouts) checks.Add(() => scorer.Score(problem, rollout.Text));
            if (problem.Demonstration is { } demonstration) checks.Add(() => scorer.Score(problem, demonstration));
            var outcomes = _checks.RunAll(checks, timeout);
            var rewards = new double[group.Rollouts.Count];
            var failed = 0;
            for (var i = 0; i < rewards.Length; i++)
            {
                rewards[i] = outcomes[i].Reward;
                if (outcomes[i].Failure is null) continue;
                failed++;
                _log.Warning("verifier: prompt {0} sample {1} scored 0: {2}", group.Work.Seq, i, outcomes[i].Failure);
            }
            var expertReward = 0.0;
            if (problem.Demonstration is not null)
            {
                var outcome = outcomes[^1];
                expertReward = outcome.Reward;
                if (outcome.Failure is not null)
                    _log.Warning("verifier: prompt {0} demonstration scored 0: {1}", group.Work.Seq, outcome.Failure);
            }
            verdicts.Tell(new GroupVerified(group, rewards, expertReward, failed));
        });
    }

    protected override void PostStop() => _checks.Dispose();

    /// <param name="verdicts">Where verified groups go: the coordinator (which journals them for the gate), or a gate directly.</param>
    /// <param name="problems">The problem behind each prompt seq (<see cref="ProblemBook.At"/>: the same data and seed as the coordinator's).</param>
    public static Props Props(IRewardScorer scorer, Func<long, Problem> problems, IActorRef verdicts, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new VerifierActor(scorer, problems, verdicts, timeout));
}
