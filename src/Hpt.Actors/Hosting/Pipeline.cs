using Akka.Actor;
using Akka.Routing;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Gate;
using Hpt.Actors.Learner;
using Hpt.Actors.Protocol;
using Hpt.Actors.Verification;
using Hpt.Actors.Workers;

namespace Hpt.Actors.Hosting;

/// <summary>
/// A running pipeline in one ActorSystem: coordinator, learner, gate, verifier pool and one rollout worker per
/// engine. The coordinator recovers first, so the learner starts knowing which prompts are already trained.
/// </summary>
public sealed class Pipeline
{
    private Pipeline(IActorRef coordinator, IActorRef learner, IActorRef gate, IActorRef verifiers, IReadOnlyList<IActorRef> workers)
    {
        Coordinator = coordinator;
        Learner = learner;
        Gate = gate;
        Verifiers = verifiers;
        Workers = workers;
    }

    public IActorRef Coordinator { get; }
    public IActorRef Learner { get; }
    public IActorRef Gate { get; }
    public IActorRef Verifiers { get; }
    public IReadOnlyList<IActorRef> Workers { get; }

    /// <summary>The journal's state when the pipeline started (after any rollback to the checkpoint).</summary>
    public RunStatus StartStatus { get; private init; } = null!;

    /// <summary>
    /// Starts every actor under <paramref name="system"/> (an ActorSystem, or an actor's Context when the pipeline is a
    /// cluster singleton's children); <paramref name="computeDispatcher"/> null keeps the default dispatcher (tests).
    /// </summary>
    public static async Task<Pipeline> StartAsync(IActorRefFactory system, PipelineParts parts, string? computeDispatcher, TimeSpan recoveryTimeout)
    {
        parts.Settings.Validate();
        Props OnCompute(Props props) => computeDispatcher is null ? props : props.WithDispatcher(computeDispatcher);

        var coordinator = system.ActorOf(
            CoordinatorActor.Props(parts.RunId, parts.Settings, parts.Problems, parts.Seed, parts.InitialPolicy, parts.Intake, parts.Snapshots), "coordinator");
        // Asking waits for recovery: the answer comes only once the journal is replayed.
        var status = await coordinator.Ask<RunStatus>(GetRunStatus.Instance, recoveryTimeout);
        if (parts.Restore is not null)
        {
            var checkpointStep = parts.Restore(status.Step);
            status = await coordinator.Ask<RunStatus>(new ResumeFrom(checkpointStep), recoveryTimeout);
        }
        // A stateful gate continues from the step the run resumes at (TargetRatioGate's gamma and counters).
        if (status.GateState is { Count: > 0 } gateState) parts.Gate.ImportState(gateState);
        // Workers start without weights; this is the policy every one of them loads first.
        coordinator.Tell(new PolicyPublished(parts.Learner.Snapshot()));

        var trained = new HashSet<long>(status.TrainedSeqs);
        var learner = system.ActorOf(OnCompute(LearnerActor.Props(parts.Learner, coordinator, parts.Settings, trained, parts.Checkpoints)), "learner");
        var gate = system.ActorOf(GateActor.Props(parts.Gate, learner), "gate");
        // Verdicts go through the coordinator, which journals each verified group before it forwards it to the gate.
        coordinator.Tell(new AttachGate(gate));
        var verifiers = system.ActorOf(VerifierActor.Props(parts.Scorer, coordinator, parts.Settings.VerifierTimeout)
            .WithRouter(new RoundRobinPool(parts.Settings.Verifiers)), "verifiers");
        var workers = parts.RolloutEngines
            .Select((factory, i) => system.ActorOf(
                OnCompute(RolloutWorkerActor.Props(coordinator, verifiers, factory, $"rollout-{i}")), $"rollout-{i}"))
            .ToArray();
        return new Pipeline(coordinator, learner, gate, verifiers, workers) { StartStatus = status };
    }

    /// <summary>
    /// Completes when the coordinator reports the run's last step; fails with <see cref="RunStalledException"/> when it
    /// reports that no step completed for hpt.pipeline.stall-abort.
    /// </summary>
    public Task<RunCompleted> WhenCompleted(TimeSpan timeout) => WhenCompleted(Coordinator, timeout);

    public static async Task<RunCompleted> WhenCompleted(IActorRef coordinator, TimeSpan timeout)
    {
        var answer = await coordinator.Ask<IPipelineMessage>(replyTo => new WatchRun(replyTo), timeout, CancellationToken.None);
        return answer switch
        {
            RunCompleted done => done,
            RunStalled stalled => throw new RunStalledException(stalled.Reason),
            _ => throw new InvalidOperationException($"unexpected answer to WatchRun: {answer.GetType().Name}"),
        };
    }
}
