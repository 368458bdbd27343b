using Akka.Actor;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Hosting;

/// <summary>
/// The one rule of fail-fast, in one place: which failures a restart cannot cure. Those stop the run with one line;
/// every other failure restarts the actor, a bounded number of times (see <see cref="FailFastStrategy"/>).
/// </summary>
public static class FailureKind
{
    public static bool IsIncurable(Exception e) => e switch
    {
        IncurableException or SettingsException => true,
        // A full disk, a read-only or vanished directory: the next attempt writes to the same place.
        IOException or UnauthorizedAccessException => true,
        // A constructor or PreStart that failed (an engine on a device that does not exist) fails the same way again.
        ActorInitializationException => true,
        _ => false,
    };

    /// <summary>The innermost useful message: wrappers (actor initialization, aggregate, target invocation) add nothing.</summary>
    public static string Describe(Exception e)
    {
        while (e is ActorInitializationException or AggregateException or System.Reflection.TargetInvocationException
               && e.InnerException is not null)
            e = e.InnerException;
        return e.Message;
    }
}
