using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Hpt.Actors.Engines;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Workers;

/// <summary>
/// Holds one policy copy (one device) and samples groups of responses. It pulls work from the coordinator one
/// prompt at a time, so a slow worker never has a queue; weight updates are applied between prompts (the safe point).
/// Runs on the compute dispatcher: generation blocks its thread.
/// </summary>
public sealed class RolloutWorkerActor : ReceiveActor, IWithStash
{
    private readonly IActorRef _coordinator;
    private readonly IActorRef _verifiers;
    private readonly Func<IRolloutEngine> _engineFactory;
    private readonly string _workerId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IRolloutEngine? _engine;

    public IStash Stash { get; set; } = null!;

    public RolloutWorkerActor(IActorRef coordinator, IActorRef verifiers, Func<IRolloutEngine> engineFactory, string workerId)
    {
        _coordinator = coordinator;
        _verifiers = verifiers;
        _engineFactory = engineFactory;
        _workerId = workerId;

        Receive<UpdatePolicy>(OnUpdatePolicy);
        Receive<GenerateRollouts>(OnGenerate);
    }

    public static Props Props(IActorRef coordinator, IActorRef verifiers, Func<IRolloutEngine> engineFactory, string workerId) =>
        Akka.Actor.Props.Create(() => new RolloutWorkerActor(coordinator, verifiers, engineFactory, workerId));

    private IRolloutEngine Engine => _engine ?? throw new InvalidOperationException("engine not started");

    protected override void PreStart()
    {
        _engine = _engineFactory();
        AskForWork();
    }

    protected override void PostStop() => _engine?.Dispose();

    protected override void PreRestart(Exception reason, object message)
    {
        // The prompt being generated when we crashed must not be lost: hand it back before the restart.
        if (message is GenerateRollouts failed)
            _coordinator.Tell(new RolloutsFailed(failed.Work, failed.Attempt, _workerId, reason.Message));
        base.PreRestart(reason, message);
    }

    private void OnUpdatePolicy(UpdatePolicy update)
    {
        if (update.Version <= Engine.PolicyVersion) return;
        Engine.LoadPolicy(update.Snapshot);
        Stash.UnstashAll();
    }

    private void OnGenerate(GenerateRollouts command)
    {
        if (Engine.PolicyVersion < command.MinVersion)
        {
            // The coordinator sends the policy before such work, so this is only a reordering guard.
            Stash.Stash();
            return;
        }

        var clock = Stopwatch.StartNew();
        var rollouts = Engine.Generate(command.Work, command.Attempt, command.Samples);
        _verifiers.Tell(new RolloutsGenerated(command.Work, command.Attempt, command.MinVersion, _workerId, rollouts, clock.Elapsed.TotalSeconds));
        _log.Debug("worker {0} generated prompt {1} (attempt {2}) with policy v{3}", _workerId, command.Work.Seq, command.Attempt, Engine.PolicyVersion);
        AskForWork();
    }

    private void AskForWork() => _coordinator.Tell(new RequestWork(Self, _workerId, Engine.PolicyVersion));
}
