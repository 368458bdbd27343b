using Akka.Actor;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Hosting;

/// <summary>
/// A running pipeline in one ActorSystem: every role of <see cref="PipelineActors"/> (coordinator, learner, gate,
/// verifier pool and one rollout worker per engine). The coordinator recovers first, so the learner starts knowing
/// which prompts are already trained.
/// </summary>
public sealed class Pipeline
{
    private Pipeline(LearnerActors learner, IActorRef verifiers, IReadOnlyList<IActorRef> workers)
    {
        Coordinator = learner.Coordinator;
        Learner = learner.Learner;
        Gate = learner.Gate;
        StartStatus = learner.StartStatus;
        Verifiers = verifiers;
        Workers = workers;
    }

    public IActorRef Coordinator { get; }
    public IActorRef Learner { get; }
    public IActorRef Gate { get; }
    public IActorRef Verifiers { get; }
    public IReadOnlyList<IActorRef> Workers { get; }

    /// <summary>The journal's state when the pipeline started (after any rollback to the checkpoint).</summary>
    public RunStatus StartStatus { get; }

    /// <summary>
    /// Starts every actor under <paramref name="system"/> (an ActorSystem, or an actor's Context when the pipeline is a
    /// cluster singleton's children); <paramref name="computeDispatcher"/> null keeps the default dispatcher (tests).
    /// </summary>
    public static async Task<Pipeline> StartAsync(IActorRefFactory system, PipelineParts parts, string? computeDispatcher, TimeSpan recoveryTimeout)
    {
        var learner = await PipelineActors.StartLearnerAsync(system, parts, computeDispatcher, recoveryTimeout);
        var verifiers = PipelineActors.StartVerifiers(system, parts.Scorer, new ProblemBook(parts.Problems, parts.Seed), learner.Coordinator, parts.Settings.Verifiers,
            parts.Settings.VerifierTimeout, "verifiers");
        var workers = PipelineActors.StartWorkers(system, parts.RolloutEngines, learner.Coordinator, verifiers, i => $"rollout-{i}",
            computeDispatcher);
        return new Pipeline(learner, verifiers, workers);
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
