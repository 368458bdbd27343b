using Akka.Actor;
using Hpt.Actors.Protocol;

namespace Hpt.Cli.Reporting;

/// <summary>
/// Bridges the coordinator's <see cref="RunProgress"/> events on the Akka event stream to plain callbacks
/// (<see cref="MetricsLog.Append(RunProgress)"/>, <see cref="ProgressView.Update"/>); start it with
/// <see cref="ProgressEvents.Subscribe"/>. An actor handles one message
/// at a time, so the callbacks see the steps in order and never concurrently with each other.
/// </summary>
public sealed class RunProgressListener : ReceiveActor
{
    public RunProgressListener(IReadOnlyList<Action<RunProgress>> sinks)
    {
        Receive<RunProgress>(progress =>
        {
            foreach (var sink in sinks) sink(progress);
        });
    }
}
