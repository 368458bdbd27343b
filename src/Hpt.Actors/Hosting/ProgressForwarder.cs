using Akka.Actor;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Hosting;

/// <summary>Forwards the coordinator's progress events from the event stream to a run observer.</summary>
public sealed class ProgressForwarder : ReceiveActor
{
    /// <summary>Ask it before shutting down: the reply comes after every progress event published before the ask.</summary>
    public sealed record Flush
    {
        public static readonly Flush Instance = new();
    }

    public ProgressForwarder(IRunObserver observer)
    {
        Receive<RunProgress>(observer.Progress);
        Receive<StepProvenance>(observer.Provenance);
        Receive<Flush>(f => Sender.Tell(f));
    }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(RunProgress));
        Context.System.EventStream.Subscribe(Self, typeof(StepProvenance));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    public static Props Props(IRunObserver observer) => Akka.Actor.Props.Create(() => new ProgressForwarder(observer));
}
