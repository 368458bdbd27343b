using Akka.Actor;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Hosting;

/// <summary>Forwards the coordinator's progress events from the event stream to a run observer.</summary>
public sealed class ProgressForwarder : ReceiveActor
{
    public ProgressForwarder(IRunObserver observer)
    {
        Receive<RunProgress>(observer.Progress);
    }

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(RunProgress));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    public static Props Props(IRunObserver observer) => Akka.Actor.Props.Create(() => new ProgressForwarder(observer));
}
