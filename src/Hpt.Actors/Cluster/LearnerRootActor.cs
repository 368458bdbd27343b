using Akka.Actor;
using Akka.Event;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Cluster;

/// <summary>
/// The cluster singleton on the oldest learner node: it starts the coordinator, learner, gate and its verifier pool
/// as its children (the <see cref="Pipeline"/> of one process, without rollout workers) and routes what arrives
/// through the singleton proxy to them. Coordinator, gate and learner therefore move together: the learner's engine
/// lives in this process. Messages that arrive while the coordinator recovers its journal are stashed (status queries
/// too: the asker's node answers them with "no answer in time"); once ready, its <see cref="StatusReporter"/> child
/// answers status queries (<see cref="GetClusterStatus"/>).
/// </summary>
public sealed class LearnerRootActor : ReceiveActor, IWithStash
{
    private readonly Func<PipelineParts> _parts;
    private readonly string? _computeDispatcher;
    private readonly TimeSpan _recoveryTimeout;
    private readonly IActorRef _status;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public IStash Stash { get; set; } = null!;

    public LearnerRootActor(Func<PipelineParts> parts, string? computeDispatcher, TimeSpan recoveryTimeout, string? runDirectory)
    {
        _parts = parts;
        _computeDispatcher = computeDispatcher;
        _recoveryTimeout = recoveryTimeout;
        _status = Context.ActorOf(StatusReporter.Props(runDirectory), "status");
        ReceiveAsync<Start>(_ => StartAsync());
        ReceiveAny(_ => Stash.Stash());
    }

    /// <param name="runDirectory">The run directory whose journal and checkpoints `hpt status` reports (null: not reported).</param>
    public static Props Props(Func<PipelineParts> parts, string? computeDispatcher, TimeSpan recoveryTimeout, string? runDirectory = null) =>
        Akka.Actor.Props.Create(() => new LearnerRootActor(parts, computeDispatcher, recoveryTimeout, runDirectory));

    protected override void PreStart() => Self.Tell(Start.Instance);

    /// <summary>The pipeline's children fail fast as in one process: an incurable failure ends the run with one line.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new FailFastStrategy();

    private async Task StartAsync()
    {
        Pipeline pipeline;
        try
        {
            pipeline = await Pipeline.StartAsync(Context, _parts(), _computeDispatcher, _recoveryTimeout);
        }
        catch (Exception e) when (FailureKind.IsIncurable(e))
        {
            // The singleton manager would restart this actor, and the same journal or checkpoint fails the same way.
            Context.System.EventStream.Publish(new RunFailed(FailureKind.Describe(e)));
            Context.Stop(Self);
            return;
        }
        _log.Info("learner singleton started at step {0} on {1}", pipeline.StartStatus.PolicyVersion, Context.System.Name);
        Become(() => Ready(pipeline));
        Stash.UnstashAll();
    }

    private void Ready(Pipeline pipeline)
    {
        Receive<RequestWork>(m => pipeline.Coordinator.Forward(m));
        Receive<RegisterWorker>(m => pipeline.Coordinator.Forward(m));
        Receive<RolloutsFailed>(m => pipeline.Coordinator.Forward(m));
        Receive<WatchRun>(m => pipeline.Coordinator.Forward(m));
        Receive<GetRunStatus>(m => pipeline.Coordinator.Forward(m));
        Receive<GroupVerified>(m => pipeline.Coordinator.Forward(m)); // journaled there, then handed to the gate
        Receive<RolloutsGenerated>(m => pipeline.Verifiers.Forward(m));
        Receive<SaveCheckpointNow>(m => pipeline.Learner.Forward(m));
        Receive<GetClusterStatus>(m => _status.Forward(m));
    }

    private sealed class Start
    {
        public static readonly Start Instance = new();
    }
}
