using Akka.Actor;
using Akka.Actor.Internal;
using Akka.Event;

namespace Hpt.Actors.Hosting;

/// <summary>
/// Supervision of the pipeline's actors. A failure a restart cannot cure (<see cref="FailureKind"/>) stops the actor
/// and publishes <see cref="RunFailed"/>, which ends the run with one line; any other failure restarts the actor, at
/// most <see cref="MaxRestarts"/> times per <see cref="Window"/>, and a crash loop beyond that ends the run the same
/// way instead of restarting forever. Used by the /user guardian (<see cref="FailFastGuardian"/>) and by the cluster's
/// learner singleton for its children.
/// </summary>
public sealed class FailFastStrategy() : OneForOneStrategy(MaxRestarts, Window, Decide)
{
    public const int MaxRestarts = 10;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

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
        if (restart && failedChildStats.RequestRestartPermission(MaxRestarts, (int)Window.TotalMilliseconds))
        {
            RestartChild(child, cause, suspendFirst: false);
            return;
        }
        if (cause is not (ActorKilledException or DeathPactException))
        {
            var reason = restart
                ? $"{child.Path.Name} failed {MaxRestarts + 1} times within {Window.TotalSeconds:0} s (a crash loop); last error: {FailureKind.Describe(cause)}"
                : FailureKind.Describe(cause);
            context.System.EventStream.Publish(new RunFailed(reason));
        }
        context.Stop(child);
    }
}
