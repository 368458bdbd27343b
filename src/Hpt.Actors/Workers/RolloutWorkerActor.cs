using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Hpt.Training.Engines;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Workers;

/// <summary>
/// Holds one policy copy (one device) and samples groups of responses. With a one-prompt engine it pulls work one
/// prompt at a time and applies weight updates between prompts. With a continuous engine
/// (<see cref="IContinuousRolloutEngine"/>) it holds up to the engine's prompt capacity, asks for more while it has
/// room (credits), and decodes one step per message to itself, so weight updates and new prompts are taken between
/// two decode steps. The coordinator's admission control stays the only staleness bound: when it issues nothing, the
/// worker keeps decoding what it holds. Runs on the compute dispatcher: generation blocks its thread.
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
    // Continuous mode: prompts held by seq (submitted to the engine, or waiting for the policy they need), credits asked
    // for and not yet received, deliveries not yet reported, whether a DecodeStep message is queued, and when the engine
    // last ran out of work. By seq, not by attempt: the engine takes one request per seq, and a re-issue of a held prompt
    // (a new attempt) is the same work.
    private readonly Dictionary<long, Held> _held = new();
    private int _asked;
    private readonly List<PromptAttempt> _delivered = [];
    private bool _stepping;
    private readonly Stopwatch _emptySince = Stopwatch.StartNew();

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
        Receive<DecodeStep>(_ => OnDecodeStep());
        Receive<RegisterTick>(_ => OnRegisterTick());
    }

    public static Props Props(IActorRef coordinator, IActorRef verifiers, Func<IRolloutEngine> engineFactory, string workerId,
        TimeSpan? registerEvery = null) =>
        Akka.Actor.Props.Create(() => new RolloutWorkerActor(coordinator, verifiers, engineFactory, workerId, registerEvery));

    private IRolloutEngine Engine => _engine ?? throw new InvalidOperationException("engine not started");

    private IContinuousRolloutEngine? Continuous => _engine as IContinuousRolloutEngine;

    private int Capacity => Continuous?.PromptCapacity ?? 1;

    protected override void PreStart()
    {
        _engine = _engineFactory();
        if (_registerEvery is { } every) Timers.StartPeriodicTimer("register", RegisterTick.Instance, every);
        AskForWork(fresh: true);
    }

    protected override void PostStop() => _engine?.Dispose();

    protected override void PreRestart(Exception reason, object message)
    {
        // The prompts being generated when we crashed must not be lost: hand every one back before the restart.
        var handedBack = new HashSet<PromptAttempt>();
        foreach (var held in _held.Values.OrderBy(h => h.Command.Work.Seq))
            if (handedBack.Add(new PromptAttempt(held.Command.Work.Seq, held.Command.Attempt)))
                _coordinator.Tell(new RolloutsFailed(held.Command.Work, held.Command.Attempt, _workerId, reason.Message));
        if (message is GenerateRollouts failed && handedBack.Add(new PromptAttempt(failed.Work.Seq, failed.Attempt)))
            _coordinator.Tell(new RolloutsFailed(failed.Work, failed.Attempt, _workerId, reason.Message));
        // So must prompts stashed (one-prompt mode) for a policy that failed to load: the restarted worker has no policy at all.
        foreach (var envelope in Stash.ClearStash())
            if (envelope.Message is GenerateRollouts waiting && handedBack.Add(new PromptAttempt(waiting.Work.Seq, waiting.Attempt)))
                _coordinator.Tell(new RolloutsFailed(waiting.Work, waiting.Attempt, _workerId, $"policy load failed: {reason.Message}"));
        base.PreRestart(reason, message);
    }

    private void OnUpdatePolicy(UpdatePolicy update)
    {
        if (update.Snapshot.Version <= Engine.PolicyVersion || update.Snapshot.Version <= _preparing) return;
        var preparing = Engine.PrepareAsync(update.Snapshot);
        if (preparing.IsCompletedSuccessfully)
        {
            // Nothing to prepare (weights in memory): load now.
            Engine.LoadPolicy(preparing.Result);
            PolicyLoaded();
            return;
        }
        // Read and verify off this thread; keep generating with the current policy where the prompts allow it.
        _preparing = update.Snapshot.Version;
        preparing.PipeTo(Self,
            success: prepared => new PolicyPrepared(prepared, null),
            failure: e => new PolicyPrepared(update.Snapshot, e));
    }

    private void OnPolicyPrepared(PolicyPrepared prepared)
    {
        if (prepared.Snapshot.Version <= Engine.PolicyVersion) return;
        if (prepared.Failure is { } e)
            _log.Warning("worker {0}: background load of policy v{1} failed ({2}); loading it now", _workerId, prepared.Snapshot.Version, e.Message);
        Engine.LoadPolicy(prepared.Snapshot); // a failed preparation retries here, and a second failure restarts the worker
        PolicyLoaded();
    }

    /// <summary>Prompts that waited for the policy now loaded go on.</summary>
    private void PolicyLoaded()
    {
        Stash.UnstashAll();
        if (Continuous is { } engine) SubmitReady(engine);
    }

    /// <summary>A policy read and verified in the background (or the original, with the failure, to load the slow way).</summary>
    private sealed record PolicyPrepared(PolicySnapshot Snapshot, Exception? Failure);

    /// <summary>Time since this worker last asked for work: how long it sat idle before the current prompt.</summary>
    private readonly Stopwatch _sinceAsked = Stopwatch.StartNew();

    private void OnGenerate(GenerateRollouts command)
    {
        _idle = false;
        if (Continuous is { } engine)
        {
            Hold(engine, command);
            return;
        }
        if (Engine.PolicyVersion < command.IssueVersion)
        {
            // The coordinator sends the policy before such work, so this is only a reordering guard.
            Stash.Stash();
            return;
        }

        var waited = _sinceAsked.Elapsed.TotalSeconds;
        var clock = Stopwatch.StartNew();
        var rollouts = Engine.Generate(new RolloutRequest(command.Work.Seq, command.Work.Prompt, command.Samples));
        _verifiers.Tell(new RolloutsGenerated(command.Work, command.Attempt, command.IssueVersion, _workerId, rollouts, clock.Elapsed.TotalSeconds)
        {
            IdleSeconds = waited,
        });
        _log.Debug("worker {0} generated prompt {1} (attempt {2}) with policy v{3}", _workerId, command.Work.Seq, command.Attempt, Engine.PolicyVersion);
        _delivered.Add(new PromptAttempt(command.Work.Seq, command.Attempt));
        AskForWork(fresh: false);
    }

    /// <summary>
    /// Continuous mode: a prompt joins the held ones and is submitted once the policy it needs is loaded. Every
    /// GenerateRollouts spends one of the credits this worker gave, also a re-issue of a prompt it already holds.
    /// </summary>
    private void Hold(IContinuousRolloutEngine engine, GenerateRollouts command)
    {
        _asked = Math.Max(0, _asked - 1);
        var seq = command.Work.Seq;
        if (_held.TryGetValue(seq, out var held))
        {
            // Issued again while this worker still decodes it: the coordinator's work deadline passed (its group may
            // have been lost on the way to a verifier, or decoding is slow). The engine holds one request per seq and
            // submitting it twice would crash the worker, whose hand-back and restart would lose every other prompt
            // it holds and may meet the next re-issue the same way. Keep decoding the held one and report it under
            // the newest attempt, the only one the coordinator still accepts. The spent credit is asked for again.
            if (command.Attempt > held.Command.Attempt)
            {
                _log.Info("worker {0}: prompt {1} issued again (attempt {2}) while attempt {3} is decoding here; it continues as attempt {2}",
                    _workerId, seq, command.Attempt, held.Command.Attempt);
                _held[seq] = held with { Command = command };
            }
            AskForMore();
            return;
        }
        _held[seq] = new Held(command, Submitted: false, IdleSeconds: 0, Stopwatch.StartNew());
        SubmitReady(engine);
        AskForMore();
    }

    /// <summary>Submits the held prompts whose policy is loaded (a policy newer than the engine's waits for it).</summary>
    private void SubmitReady(IContinuousRolloutEngine engine)
    {
        foreach (var (seq, held) in _held.Where(h => !h.Value.Submitted && h.Value.Command.IssueVersion <= engine.PolicyVersion)
                     .OrderBy(h => h.Key).ToArray())
        {
            // Idle time is charged to the prompt that ended a wait with nothing to decode.
            var idle = engine.HasWork ? 0 : _emptySince.Elapsed.TotalSeconds;
            held.Clock.Restart();
            _held[seq] = held with { Submitted = true, IdleSeconds = idle };
            engine.Submit(new RolloutRequest(seq, held.Command.Work.Prompt, held.Command.Samples));
            ScheduleStep();
        }
    }

    /// <summary>One admit-and-decode step of the continuous engine; finished prompts go to the verifiers.</summary>
    private void OnDecodeStep()
    {
        _stepping = false;
        var engine = Continuous!;
        foreach (var done in engine.Step())
        {
            // The engine holds one request per seq; the held command is its newest attempt.
            if (!_held.Remove(done.Request.Seq, out var held))
                throw new InvalidOperationException($"the engine finished prompt {done.Request.Seq}, which this worker does not hold");
            var command = held.Command;
            _verifiers.Tell(new RolloutsGenerated(command.Work, command.Attempt, command.IssueVersion, _workerId, done.Rollouts,
                held.Clock.Elapsed.TotalSeconds) { IdleSeconds = held.IdleSeconds });
            _log.Debug("worker {0} generated prompt {1} (attempt {2})", _workerId, command.Work.Seq, command.Attempt);
            _delivered.Add(new PromptAttempt(command.Work.Seq, command.Attempt));
        }
        if (engine.HasWork) ScheduleStep();
        else
        {
            _emptySince.Restart();
            _idle = _held.Count == 0;
        }
        AskForMore();
    }

    private void ScheduleStep()
    {
        if (_stepping) return;
        _stepping = true;
        Self.Tell(DecodeStep.Instance);
    }

    /// <summary>Continuous mode: ask for as many prompts as there is room for, and report what was delivered.</summary>
    private void AskForMore()
    {
        var want = Capacity - _held.Count - _asked;
        if (want <= 0 && _delivered.Count == 0) return;
        want = Math.Max(0, want);
        _asked += want;
        _coordinator.Tell(new RequestWork(Self, _workerId, Engine.PolicyVersion) { Credits = want, Delivered = [.. _delivered] });
        _delivered.Clear();
    }

    private void AskForWork(bool fresh)
    {
        if (Continuous is not null)
        {
            // A fresh worker holds nothing and has no credits out.
            _asked = Capacity - _held.Count;
            _coordinator.Tell(new RequestWork(Self, _workerId, Engine.PolicyVersion) { Credits = _asked, Delivered = [.. _delivered], Fresh = fresh });
            _delivered.Clear();
            _idle = _held.Count == 0;
            return;
        }
        _idle = true;
        _sinceAsked.Restart();
        _coordinator.Tell(new RequestWork(Self, _workerId, Engine.PolicyVersion) { Delivered = [.. _delivered], Fresh = fresh });
        _delivered.Clear();
    }

    private void OnRegisterTick()
    {
        if (!_idle) return;
        // A coordinator that has never seen this worker starts it with this many credits.
        var credits = Capacity - _held.Count;
        if (Continuous is not null) _asked = credits;
        _coordinator.Tell(new RegisterWorker(Self, _workerId, Engine.PolicyVersion) { Credits = credits });
    }

    /// <summary>
    /// A prompt this worker holds: its newest command, whether the engine has it, the idle time charged to it and its
    /// generation clock.
    /// </summary>
    private sealed record Held(GenerateRollouts Command, bool Submitted, double IdleSeconds, Stopwatch Clock);

    private sealed class DecodeStep
    {
        public static readonly DecodeStep Instance = new();
    }

    private sealed class RegisterTick
    {
        public static readonly RegisterTick Instance = new();
    }
}
