using Akka.Actor;

namespace Hpt.Actors.Hosting;

/// <summary>
/// Listens for <see cref="RunFailed"/> on an ActorSystem's event stream: <see cref="Failed"/> completes with the first
/// reason. Hosts await it next to the run's completion, so a failure inside an actor ends the run instead of hanging it.
/// </summary>
public sealed class RunFailureWatch
{
    private readonly TaskCompletionSource<string> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RunFailureWatch()
    {
    }

    /// <summary>Completes with the reason of the first failure; never completes on a healthy run.</summary>
    public Task<string> Failed => _failed.Task;

    public static RunFailureWatch Start(ActorSystem system)
    {
        var watch = new RunFailureWatch();
        var listener = system.ActorOf(Props.Create(() => new Listener(watch._failed)), "run-failure-watch");
        system.EventStream.Subscribe(listener, typeof(RunFailed));
        return watch;
    }

    /// <summary>Awaits <paramref name="task"/>, or throws <see cref="RunFailedException"/> if the run fails first.</summary>
    public async Task<T> Guard<T>(Task<T> task)
    {
        if (await Task.WhenAny(task, Failed) == Failed) throw new RunFailedException(await Failed);
        return await task;
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(TaskCompletionSource<string> failed) => Receive<RunFailed>(f => failed.TrySetResult(f.Reason));
    }
}
