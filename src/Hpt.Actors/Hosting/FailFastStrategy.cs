using Akka.Actor;
using Akka.Actor.Internal;
using Akka.Event;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Hosting;

/// <summary>
/// Supervision of the pipeline's actors. A failure a restart cannot cure (<see cref="FailureKind"/>) stops the actor
/// and publishes <see cref="RunFailed"/>, which ends the run with one line; any other failure restarts the actor, at
/// most <see cref="MaxRestarts"/> times per <see cref="Window"/>, and a crash loop beyond that ends the run the same
/// way instead of restarting forever. Failures spaced wider than that window are bounded too: an actor restarted
/// hpt.pipeline.max-restarts times in this process ends the run at its next failure (a learner that fails every few
/// minutes would otherwise retry for good, each time from its last checkpoint). Used by the /user guardian
/// (<see cref="FailFastGuardian"/>) and by the cluster's learner singleton for its children.
/// </summary>
public sealed class FailFastStrategy() : OneForOneStrategy(MaxRestarts, Window, Decide)
{
    public const int MaxRestarts = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Restarts so far per child (by reference: a child started again under its name counts afresh).</summary>
    private readonly Dictionary<IActorRef, int> _restarts = new();
    private int? _maxTotal;

    private static Directive Decide(Exception e) => e switch
    {
        ActorKilledException or DeathPactException => Directive.Stop,
        _ when FailureKind.IsIncurable(e) => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>One line per restart instead of Akka's stack trace; a stop is reported once, by the run's error line.</summary>
    protected override void LogFailure(IActorContext context, IActorRef child, Exception cause, Directive directive)
    {
        if (directive == Directive.Restart)
            context.System.Log.Warning("{0} failed and is restarted: {1}", child.Path.Name, FailureKind.Describe(cause));
    }

    public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause,
        ChildRestartStats failedChildStats, IReadOnlyCollection<ChildRestartStats> allChildren)
    {
        // Akka makes the guardian's strategy without its system (SupervisorStrategyConfigurator): the bound is read at
        // the first failure, from the system's configuration (validated at start-up with the other pipeline settings).
        var maxTotal = _maxTotal ??= PipelineSettings.MaxRestartsIn(context.System.Settings.Config);
        var restarts = _restarts.GetValueOrDefault(child);
        string? reason = null;
        if (restart && restarts >= maxTotal)
            reason = $"{child.Path.Name} failed {restarts + 1} times in this run: it was restarted {restarts} times, the most " +
                     $"hpt.pipeline.max-restarts ({maxTotal}) allows however far apart the failures are; last error: {FailureKind.Describe(cause)}";
        else if (restart && failedChildStats.RequestRestartPermission(MaxRestarts, (int)Window.TotalMilliseconds))
        {
            _restarts[child] = restarts + 1;
            RestartChild(child, cause, suspendFirst: false);
            return;
        }
        if (cause is not (ActorKilledException or DeathPactException))
        {
            reason ??= restart
                ? $"{child.Path.Name} failed {MaxRestarts + 1} times within {Window.TotalSeconds:0} s (a crash loop); last error: {FailureKind.Describe(cause)}"
                : FailureKind.Describe(cause);
            context.System.EventStream.Publish(new RunFailed(reason));
        }
        _restarts.Remove(child);
        context.Stop(child);
    }
}
