using Akka.Actor;
using Hpt.Actors.Protocol;

namespace Hpt.Cli.Reporting;

/// <summary>Wires progress callbacks to a running actor system.</summary>
public static class ProgressEvents
{
    /// <summary>
    /// Starts a <see cref="RunProgressListener"/> that calls each sink, in order, for every <see cref="RunProgress"/>
    /// published on the system's event stream. Stop the returned actor (or the system) to unsubscribe.
    /// </summary>
    public static IActorRef Subscribe(ActorSystem system, params Action<RunProgress>[] sinks)
    {
        var listener = system.ActorOf(Props.Create(() => new RunProgressListener(sinks)));
        system.EventStream.Subscribe(listener, typeof(RunProgress));
        return listener;
    }
}
