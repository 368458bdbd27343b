using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Hpt.Training.Engines;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Workers;

/// <summary>
/// Holds one policy copy (one device) and samples groups of responses. It pulls work from the coordinator one
/// prompt at a time, so a slow worker never has a queue; weight updates are applied between prompts (the safe point).
/// Runs on the compute dispatcher: generation blocks its thread.
/// </summary>
public sealed class RolloutWorkerActor : ReceiveActor, IWithStash, IWithTimers
{
    private readonly IActorRef _coordinator;
    private readonly IActorRef _verifiers;
    private readonly Func<IRolloutEngine> _engineFactory;
    private readonly string _workerId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IRolloutEngine? _engine;
    private readonly TimeSpan? _registerEvery;
    private long _preparing = -1;
    private bool _idle;

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="registerEvery">
    /// On a cluster: how often an idle worker reminds the coordinator of itself (<see cref="RegisterWorker"/>), so a
    /// coordinator singleton that moved to another node finds the workers that were waiting for work. Null in one process.
    /// </param>
    public RolloutWorkerActor(IActorRef coordinator, IActorRef verifiers, Func<IRolloutEngine> engineFactory, string workerId,
        TimeSpan? registerEvery = null)
    {
        _coordinator = coordinator;
        _verifiers = verifiers;
        _engineFactory = engineFactory;
        _workerId = workerId;
        _registerEvery = registerEvery;

        Receive<UpdatePolicy>(OnUpdatePolicy);
        Receive<PolicyPrepared>(OnPolicyPrepared);
        Receive<GenerateRollouts>(OnGenerate);
        Receive<RegisterTick>(_ => { if (_idle) _coordinator.Tell(new RegisterWorker(Self, _workerId, Engine.PolicyVersion)); });
    }

    public static Props Props(IActorRef coordinator, IActorRef verifiers, Func<IRolloutEngine> engineFactory, string workerId,
        TimeSpan? registerEvery = null) =>
        Akka.Actor.Props.Create(() => new RolloutWorkerActor(coordinator, verifiers, engineFactory, workerId, registerEvery));

    private IRolloutEngine Engine => _engine ?? throw new InvalidOperationException("engine not started");

    protected override void PreStart()
    {
        _engine = _engineFactory();
        if (_registerEvery is { } every) Timers.StartPeriodicTimer("register", RegisterTick.Instance, every);
        AskForWork();
    }

    protected override void PostStop() => _engine?.Dispose();

    protected override void PreRestart(Exception reason, object message)
    {
        // The prompt being generated when we crashed must not be lost: hand it back before the restart.
        if (message is GenerateRollouts failed)
            _coordinator.Tell(new RolloutsFailed(failed.Work, failed.Attempt, _workerId, reason.Message));
        // So must prompts stashed for a policy that failed to load: the restarted worker has no policy at all.
        foreach (var envelope in Stash.ClearStash())
            if (envelope.Message is GenerateRollouts waiting)
                _coordinator.Tell(new RolloutsFailed(waiting.Work, waiting.Attempt, _workerId, $"policy load failed: {reason.Message}"));
        base.PreRestart(reason, message);
    }

    private void OnUpdatePolicy(UpdatePolicy update)
    {
        if (update.Version <= Engine.PolicyVersion) return;
        if (Engine is Cluster.IBackgroundPolicyLoader loader)
        {
            // Read and verify off this thread; keep generating with the current policy where the prompts allow it.
            if (update.Version <= _preparing) return;
            _preparing = update.Version;
            loader.PrepareAsync(update.Snapshot).PipeTo(Self,
                success: prepared => new PolicyPrepared(prepared, null),
                failure: e => new PolicyPrepared(update.Snapshot, e));
            return;
        }
        Engine.LoadPolicy(update.Snapshot);
        Stash.UnstashAll();
    }

    private void OnPolicyPrepared(PolicyPrepared prepared)
    {
        if (prepared.Snapshot.Version <= Engine.PolicyVersion) return;
        if (prepared.Failure is { } e)
            _log.Warning("worker {0}: background load of policy v{1} failed ({2}); loading it now", _workerId, prepared.Snapshot.Version, e.Message);
        Engine.LoadPolicy(prepared.Snapshot); // a failed preparation retries here, and a second failure restarts the worker
        Stash.UnstashAll();
    }

    /// <summary>A policy read and verified in the background (or the original, with the failure, to load the slow way).</summary>
    private sealed record PolicyPrepared(PolicySnapshot Snapshot, Exception? Failure);

    /// <summary>Time since this worker last asked for work: how long it sat idle before the current prompt.</summary>
    private readonly Stopwatch _sinceAsked = Stopwatch.StartNew();

    private void OnGenerate(GenerateRollouts command)
    {
        _idle = false;
        if (Engine.PolicyVersion < command.MinVersion)
        {
            // The coordinator sends the policy before such work, so this is only a reordering guard.
            Stash.Stash();
            return;
        }

        var waited = _sinceAsked.Elapsed.TotalSeconds;
        var clock = Stopwatch.StartNew();
        var rollouts = Engine.Generate(new RolloutRequest(command.Work.Seq, command.Work.Prompt, command.Samples));
        _verifiers.Tell(new RolloutsGenerated(command.Work, command.Attempt, command.MinVersion, _workerId, rollouts, clock.Elapsed.TotalSeconds)
        {
            IdleSeconds = waited,
        });
        _log.Debug("worker {0} generated prompt {1} (attempt {2}) with policy v{3}", _workerId, command.Work.Seq, command.Attempt, Engine.PolicyVersion);
        AskForWork();
    }

    private void AskForWork()
    {
        _idle = true;
        _sinceAsked.Restart();
        _coordinator.Tell(new RequestWork(Self, _workerId, Engine.PolicyVersion));
    }

    private sealed class RegisterTick
    {
        public static readonly RegisterTick Instance = new();
    }
}
