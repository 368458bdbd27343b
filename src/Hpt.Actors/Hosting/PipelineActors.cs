using Akka.Actor;
using Akka.Routing;
using Hpt.Actors.Cluster;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Gate;
using Hpt.Actors.Learner;
using Hpt.Actors.Protocol;
using Hpt.Actors.Verification;
using Hpt.Actors.Workers;
using Hpt.Training.Engines;

namespace Hpt.Actors.Hosting;

/// <summary>
/// Which actors each role starts, and how: the one table behind the single-process run (<see cref="Pipeline"/>: every
/// role in one ActorSystem), a cluster node (<see cref="ClusterNode"/>: the roles it has, the learner role as a
/// singleton) and the pipeline benchmark (through <see cref="Pipeline"/>).
/// <list type="table">
/// <item><term>learner</term><description>coordinator (recovers first), learner, gate (announces itself to the coordinator): <see cref="StartLearnerAsync"/>.</description></item>
/// <item><term>verifier</term><description>a round-robin pool of verifiers: <see cref="StartVerifiers"/>.</description></item>
/// <item><term>rollout</term><description>one rollout worker per engine (device): <see cref="StartWorkers"/>.</description></item>
/// </list>
/// Tensor work (learner, rollout workers) runs on the compute dispatcher; null keeps the default one (tests).
/// </summary>
public static class PipelineActors
{
    /// <summary>The roles, in the order a node starts them (the learner role's coordinator must exist before the others use it).</summary>
    public static readonly IReadOnlyList<string> Roles = [ClusterSettings.Learner, ClusterSettings.Verifier, ClusterSettings.Rollout];

    /// <summary>
    /// The learner role: the coordinator (asked once, so the answer comes after its journal is replayed), the resume
    /// rule, then the learner and the gate. Returns the journal's state after any rollback to the checkpoint.
    /// </summary>
    public static async Task<LearnerActors> StartLearnerAsync(IActorRefFactory factory, PipelineParts parts, string? computeDispatcher,
        TimeSpan recoveryTimeout)
    {
        parts.Settings.Validate();
        var coordinator = factory.ActorOf(
            CoordinatorActor.Props(parts.RunId, parts.Settings, parts.Problems, parts.Seed, parts.InitialPolicy, parts.Intake, parts.Snapshots), "coordinator");
        var status = await coordinator.Ask<RunStatus>(GetRunStatus.Instance, recoveryTimeout);
        if (parts.Restore is not null)
        {
            var checkpointStep = parts.Restore(status.PolicyVersion);
            status = await coordinator.Ask<RunStatus>(new ResumeFrom(checkpointStep), recoveryTimeout);
        }
        // A stateful gate continues from the step the run resumes at (TargetRatioGate's gamma and counters).
        if (status.GateState is { Count: > 0 } gateState) parts.Gate.ImportState(gateState);
        // Workers start without weights; this is the policy every one of them loads first.
        coordinator.Tell(new PolicyPublished(parts.Learner.Snapshot()));

        var trained = new HashSet<long>(status.TrainedSeqs);
        var learner = factory.ActorOf(OnCompute(LearnerActor.Props(parts.Learner, coordinator, parts.Settings, trained, parts.Checkpoints),
            computeDispatcher), "learner");
        // Created last, in dependency order: the gate announces itself to the coordinator, which journals each
        // verified group before it forwards it to the gate.
        var gate = factory.ActorOf(GateActor.Props(parts.Gate, learner, verdictsFrom: coordinator), "gate");
        return new LearnerActors(coordinator, learner, gate, status);
    }

    /// <summary>The verifier role: <paramref name="count"/> verifiers whose verdicts go to <paramref name="verdictsTo"/> (the coordinator, or its proxy).</summary>
    public static IActorRef StartVerifiers(IActorRefFactory factory, IRewardScorer scorer, ProblemBook problems, IActorRef verdictsTo, int count,
        TimeSpan timeout, string name) =>
        factory.ActorOf(VerifierActor.Props(scorer, problems.At, verdictsTo, timeout).WithRouter(new RoundRobinPool(Math.Max(1, count))), name);

    /// <summary>
    /// The rollout role: one worker per engine, named rollout-0, rollout-1, ...; <paramref name="workerId"/> gives the
    /// name the coordinator knows it by; <paramref name="registerEvery"/> null keeps the worker's default.
    /// </summary>
    public static IReadOnlyList<IActorRef> StartWorkers(IActorRefFactory factory, IReadOnlyList<Func<IRolloutEngine>> engines,
        IActorRef coordinator, IActorRef verifiers, Func<int, string> workerId, string? computeDispatcher, TimeSpan? registerEvery = null) =>
        engines.Select((engine, i) => factory.ActorOf(
                OnCompute(RolloutWorkerActor.Props(coordinator, verifiers, engine, workerId(i), registerEvery), computeDispatcher), $"rollout-{i}"))
            .ToArray();

    private static Props OnCompute(Props props, string? dispatcher) => dispatcher is null ? props : props.WithDispatcher(dispatcher);
}

/// <summary>The learner role's actors and the journal's state they started from.</summary>
public sealed record LearnerActors(IActorRef Coordinator, IActorRef Learner, IActorRef Gate, RunStatus StartStatus);
