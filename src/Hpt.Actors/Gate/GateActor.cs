using Akka.Actor;
using Akka.Event;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Protocol;
using Hpt.Core.Gating;
using Hpt.Training.Engines;

namespace Hpt.Actors.Gate;

/// <summary>
/// Turns a verified group into the learner's rows. The decision (SFT on the demonstration, RL on the rollouts, both,
/// or nothing) is the configured <see cref="IGatePolicy"/>'s; this actor only applies it, so switching between SFT
/// and RL is message routing and every algorithm is a configuration.
/// </summary>
/// <remarks>
/// The gate is the last actor of the learner role to be created (coordinator, then learner, then gate); it tells the
/// coordinator it exists (<see cref="GateReady"/>) instead of being attached to it afterwards, so construction follows
/// the dependencies without a cycle.
/// </remarks>
public sealed class GateActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _decisions;

    private readonly IActorRef? _verdictsFrom;

    /// <param name="verdictsFrom">The coordinator to announce this gate to; null when a test feeds verdicts itself.</param>
    public GateActor(IGatePolicy policy, IActorRef learner, IActorRef? verdictsFrom = null)
    {
        _verdictsFrom = verdictsFrom;
        Receive<GroupScored>(scored =>
        {
            var (problem, verified) = (scored.Problem, scored.Verified);
            var group = verified.Group;
            var outcome = new GroupOutcome(problem.Id, verified.Rewards, group.IssueVersion, problem.Demonstration is not null, verified.ExpertReward);
            var decision = policy.Decide(outcome);
            _decisions++;
            var rows = decision.TrainingRows().Select(row => row.RolloutIndex is { } i
                    ? new TrainRow(group.Rollouts[i], null, row.Advantage, row.RlWeight, row.SftWeight)
                    : new TrainRow(null, problem.Demonstration, row.Advantage, row.RlWeight, row.SftWeight))
                .ToArray();
            _log.Debug("gate: prompt {0} P={1:0.###} gamma={2:0.###} -> {3}", scored.Seq, decision.Accuracy, decision.Gamma, decision.Route);
            learner.Tell(new TrainOnPrompt(scored, decision.Route, decision.Accuracy, decision.Gamma, rows)
            {
                // Journaled with the step that trains it, so a resume restores a stateful gate exactly.
                GateOrdinal = _decisions,
                GateState = policy.ExportState(),
            });
        });
    }

    protected override void PreStart() => _verdictsFrom?.Tell(new GateReady(Self));

    // Announced once per gate, not again after a restart (same reference): the coordinator would resend every
    // journaled verdict, and a stateful gate would decide on them twice.
    protected override void PostRestart(Exception reason) { }

    public static Props Props(IGatePolicy policy, IActorRef learner, IActorRef? verdictsFrom = null) =>
        Akka.Actor.Props.Create(() => new GateActor(policy, learner, verdictsFrom));
}
