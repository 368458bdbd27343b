using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Training.Engines;

namespace Hpt.Actors.Coordinator;

/// <summary>
/// Owns the run: data order, step counter, policy version and the staleness bound. Rollout workers pull prompts
/// from it; it issues one only when admission control allows. Verified groups pass through it to the gate and are
/// journaled on the way, so a resume loses no completed generation. Every state change is a journaled event, so a
/// restarted coordinator recovers where it stopped. No tensor math here.
/// </summary>
public sealed class CoordinatorActor : ReceivePersistentActor
{
    private readonly PipelineSettings _settings;
    private readonly IReadOnlyList<PromptSpec> _problems;
    private readonly DataOrder _order;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, WorkerSlot> _workers = new();
    private readonly Queue<IActorRef> _idle = new(); // workers with credits, served round-robin
    private readonly List<IActorRef> _watchers = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CoordinatorHistory _history = new();
    private CoordinatorState _state = CoordinatorState.Initial;
    private PolicySnapshot? _latestPolicy;
    private IActorRef? _gate;
    private readonly IntakeLimits? _intake;
    /// <summary>Which worker holds the current attempt of each issued prompt: a group from any other is not accepted.</summary>
    private readonly Dictionary<long, (int Attempt, string WorkerId)> _issuedTo = new();

    /// <param name="intake">Limits every generated group must meet before it is journaled; null = no checks (unit tests).</param>
    public CoordinatorActor(string runId, PipelineSettings settings, IReadOnlyList<PromptSpec> problems, int seed,
        PolicySnapshot? initialPolicy = null, IntakeLimits? intake = null)
    {
        _intake = intake;
        PersistenceId = $"hpt-coordinator-{runId}";
        _settings = settings;
        _problems = problems;
        _order = new DataOrder(problems.Count, seed);
        _latestPolicy = initialPolicy;

        Recover<ICoordinatorEvent>(evt => _state = _history.Apply(_state, evt));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<RequestWork>(r => { if (IsRolloutMember(r.Worker)) OnRequestWork(r); });
        Command<RegisterWorker>(r =>
        {
            if (!_workers.ContainsKey(r.Worker) && IsRolloutMember(r.Worker))
                OnRequestWork(new RequestWork(r.Worker, r.WorkerId, r.PolicyVersion) { Credits = r.Credits, Fresh = true });
        });
        Command<RolloutsFailed>(f => Return(f.Work.Seq, f.Attempt, $"worker {f.WorkerId} failed: {f.Reason}", Sender, failed: true));
        Command<PromptTooStale>(s => Return(s.Work.Seq, s.Attempt, $"sample v{s.SampleVersion} too stale for learner v{s.LearnerVersion}", null, failed: false));
        Command<DuplicateDropped>(_ => { });
        Command<PolicyPublished>(OnPolicyPublished);
        Command<StepCompleted>(OnStepCompleted);
        Command<Terminated>(OnWorkerTerminated);
        Command<WatchRun>(w => { if (IsComplete) w.ReplyTo.Tell(Completed()); else _watchers.Add(w.ReplyTo); });
        Command<GetRunStatus>(_ => Sender.Tell(Status()));
        Command<ResumeFrom>(OnResumeFrom);
        Command<GroupVerified>(OnGroupVerified);
        Command<AttachGate>(OnAttachGate);
    }

    public override string PersistenceId { get; }

    public static Props Props(string runId, PipelineSettings settings, IReadOnlyList<PromptSpec> problems, int seed,
        PolicySnapshot? initialPolicy = null, IntakeLimits? intake = null) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(runId, settings, problems, seed, initialPolicy, intake));

    // A journal that refuses a write or cannot be replayed does not heal by restarting (Akka stops this actor after
    // these callbacks): the run stops with one line naming the journal, and nothing after the last write is lost.
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // Akka stops this actor after the call; its own log line (a stack trace) would only repeat the cause.
        FailRun($"the {JournalName} cannot be written (event {sequenceNr}, {@event.GetType().Name}): {Flatten(cause)}");
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        FailRun($"the {JournalName} rejected event {sequenceNr} ({@event.GetType().Name}): {Flatten(cause)}");
        Context.Stop(Self); // Akka would go on without the event; the run's bookkeeping would no longer match its journal

    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        FailRun($"the {JournalName} cannot be read (persistence id {PersistenceId}): {Flatten(reason)}; " +
                "nothing was changed: restore the journal from a backup, or train in a new hpt.run.dir");
    }

    private string JournalName => Persistence.JournalDescription.Of(Context.System.Settings.Config);

    private void FailRun(string reason) => Context.System.EventStream.Publish(new Hosting.RunFailed(reason));

    /// <summary>The first message that says something: Akka and the SQL plugin wrap the cause in generic exceptions.</summary>
    private static string Flatten(Exception e)
    {
        while (e.InnerException is { } inner && (e is AggregateException || e.GetType().Namespace?.StartsWith("Akka", StringComparison.Ordinal) == true))
            e = inner;
        return e.Message;
    }

    private long TotalPrompts => _settings.TotalSteps * _settings.PromptsPerStep;
    private bool IsComplete => _state.Step >= _settings.TotalSteps;

    private void OnRecovered()
    {
        if (!_state.InFlight.IsEmpty)
            _log.Info("coordinator: resuming at step {0}; {1} prompts in flight at the crash are issued again",
                _state.Step, _state.InFlight.Count);
        // In-memory only: replaying the journal reproduces this, so it need not be persisted.
        _state = _state.ReturnAllInFlight();
    }

    private void OnResumeFrom(ResumeFrom resume)
    {
        if (resume.Step > _state.Step)
            throw new InvalidOperationException(
                $"checkpoint step {resume.Step} is ahead of the journal's step {_state.Step}: the run directory is inconsistent");
        if (resume.Step == _state.Step)
        {
            Sender.Tell(Status());
            return;
        }
        var replyTo = Sender;
        _log.Warning("coordinator: the newest intact checkpoint is step {0}; steps {1}..{2} are trained again",
            resume.Step, resume.Step + 1, _state.Step);
        // A published policy newer than the checkpoint no longer exists; the learner publishes the loaded one.
        if (_latestPolicy is { } policy && policy.Version > resume.Step) _latestPolicy = null;
        Persist(new RolledBack(resume.Step, _state.Step), evt =>
        {
            _state = _history.Apply(_state, evt);
            replyTo.Tell(Status());
        });
    }

    /// <summary>Journals a verified group before the gate sees it, so a crash after this point never regenerates it.</summary>
    private void OnGroupVerified(GroupVerified verified)
    {
        var g = verified.Group;
        // Only verifier members give verdicts (a process that merely knows this actor's path does not).
        if (!Cluster.MemberRoles.Has(Context.System, Sender, Cluster.ClusterSettings.Verifier))
        {
            _log.Warning("coordinator: verdict for prompt {0} from {1}, which is not a verifier member; dropped", g.Work.Seq, Sender.Path);
            return;
        }
        if (!_state.InFlight.TryGetValue(g.Work.Seq, out var current) || current != g.Attempt || _state.Trained.Contains(g.Work.Seq))
        {
            _log.Debug("coordinator: verdict for prompt {0} attempt {1} is no longer current; dropped", g.Work.Seq, g.Attempt);
            return;
        }
        if (_issuedTo.TryGetValue(g.Work.Seq, out var holder) && (holder.Attempt != g.Attempt || holder.WorkerId != g.WorkerId))
        {
            _log.Warning("coordinator: prompt {0} attempt {1} came from worker {2}, but it was issued to {3}; dropped",
                g.Work.Seq, g.Attempt, g.WorkerId, holder.WorkerId);
            return;
        }
        if (IntakeProblem(verified) is { } problem)
        {
            // Never journaled: a bad group would crash the learner on every restart. The attempt counts as failed.
            _log.Warning("coordinator: prompt {0} attempt {1} from worker {2} refused at intake: {3}", g.Work.Seq, g.Attempt, g.WorkerId, problem);
            Return(g.Work.Seq, g.Attempt, $"refused at intake: {problem}", null, failed: true);
            return;
        }
        // PersistAsync: the write is still journaled before the gate sees the group (the handler runs after it), but
        // work requests keep flowing meanwhile instead of waiting behind the write.
        PersistAsync(new GroupScored(g.Work.Seq, g.Attempt, verified), evt =>
        {
            _state = _history.Apply(_state, evt);
            _gate?.Tell(evt.Verified);
        });
    }

    /// <summary>The gate exists: hand it every verified group the journal holds that is not trained yet.</summary>
    private void OnAttachGate(AttachGate attach)
    {
        _gate = attach.Gate;
        // In journal order: the order the gate first saw them in, which a stateful gate's decisions depend on.
        foreach (var scored in _state.Scored.Values.OrderBy(s => _state.ScoredOrder[s.Seq]).ToArray())
        {
            // Journaled by an older build or a corrupted store: setting it aside beats crashing the learner forever.
            if (IntakeProblem(scored.Verified) is { } problem)
            {
                SetAside(scored.Seq, scored.Attempt, $"journaled group of prompt {scored.Seq} cannot be trained: {problem}");
                continue;
            }
            _gate.Tell(scored.Verified);
        }
        if (!_state.Scored.IsEmpty)
            _log.Info("coordinator: {0} verified groups from the journal go to the gate without being generated again", _state.Scored.Count);
    }

    private bool IsRolloutMember(IActorRef worker)
    {
        if (Cluster.MemberRoles.Has(Context.System, worker, Cluster.ClusterSettings.Rollout)) return true;
        _log.Warning("coordinator: work request from {0}, which is not a rollout member; ignored", worker.Path);
        return false;
    }

    private string? IntakeProblem(GroupVerified verified)
    {
        var g = verified.Group;
        var (_, index) = _order.Locate(g.Work.Seq);
        var issued = _problems[index];
        // The prompt's text and answer are the coordinator's own, never the sender's.
        if (g.Work.ProblemId != issued.Id || g.Work.Prompt != issued.Prompt || g.Work.Answer != issued.Answer)
            return $"the prompt does not match prompt {g.Work.Seq} (problem '{issued.Id}')";
        return _intake?.Problem(verified, _settings.SamplesPerPrompt, _state.PolicyVersion);
    }

    private void OnRequestWork(RequestWork request)
    {
        if (!_workers.TryGetValue(request.Worker, out var slot))
        {
            Context.Watch(request.Worker);
            slot = new WorkerSlot(request.WorkerId);
            _workers[request.Worker] = slot;
        }
        if (request.Fresh)
        {
            slot.Assignments.Clear();
            slot.Credits = 0;
        }
        foreach (var delivered in request.Delivered) slot.Assignments.Remove(delivered);
        slot.Credits += Math.Max(0, request.Credits);
        slot.PolicyVersion = request.PolicyVersion;
        if (slot.Credits > 0 && !_idle.Contains(request.Worker)) _idle.Enqueue(request.Worker);
        Dispatch();
    }

    private void OnPolicyPublished(PolicyPublished published)
    {
        _latestPolicy = published.Snapshot;
        foreach (var (worker, slot) in _workers)
        {
            worker.Tell(new UpdatePolicy(published.Snapshot.Version, published.Snapshot));
            slot.PolicyVersion = Math.Max(slot.PolicyVersion, published.Snapshot.Version);
        }
    }

    private void OnStepCompleted(StepCompleted step)
    {
        var metrics = step.Metrics with { SetAsidePrompts = _state.SetAside.Count };
        Persist(new StepRecorded(step.Step, step.PolicyVersion, step.ConsumedSeqs.ToArray(), metrics) { GateState = step.GateState }, evt =>
        {
            _state = _history.Apply(_state, evt);
            foreach (var seq in evt.Seqs) _issuedTo.Remove(seq);
            Context.System.EventStream.Publish(new RunProgress(evt.Step, _settings.TotalSteps, evt.Metrics, _clock.Elapsed.TotalSeconds));
            if (IsComplete)
                foreach (var watcher in _watchers) watcher.Tell(Completed());
            Dispatch();
        });
    }

    private void OnWorkerTerminated(Terminated terminated)
    {
        if (!_workers.Remove(terminated.ActorRef, out var slot)) return;
        var remaining = _idle.Where(w => !w.Equals(terminated.ActorRef)).ToArray();
        _idle.Clear();
        foreach (var w in remaining) _idle.Enqueue(w);
        // Every prompt the worker held goes back to be issued again (a failed attempt each, for hpt.pipeline.max-attempts).
        ReturnAll(slot.Assignments.OrderBy(a => a.Seq).ToArray(), $"worker {slot.WorkerId} stopped");
    }

    private void Return(long seq, int attempt, string reason, IActorRef? worker, bool failed)
    {
        if (worker is not null && _workers.TryGetValue(worker, out var slot)) slot.Assignments.Remove(new PromptAttempt(seq, attempt));
        if (!_state.InFlight.TryGetValue(seq, out var current) || current != attempt) return;
        if (failed && _state.FailuresOf(seq) + 1 >= _settings.MaxAttempts)
        {
            GiveUp(seq, attempt, reason);
            return;
        }
        _log.Info("coordinator: prompt {0} attempt {1} returned: {2}", seq, attempt, reason);
        Persist(new PromptReturned(seq, attempt, reason, failed), evt =>
        {
            _state = _history.Apply(_state, evt);
            Dispatch();
        });
    }

    /// <summary>A prompt failed hpt.pipeline.max-attempts times: set it aside (journaled, warned, counted) or stop the run.</summary>
    private void GiveUp(long seq, int attempt, string reason)
    {
        var (_, index) = _order.Locate(seq);
        var what = $"prompt {seq} (problem '{_problems[index].Id}') failed {_state.FailuresOf(seq) + 1} times " +
                   $"(hpt.pipeline.max-attempts = {_settings.MaxAttempts}); last failure: {reason}";
        if (_settings.AfterMaxAttempts == MaxAttemptsAction.Fail)
        {
            FailRun($"{what}; hpt.pipeline.after-max-attempts = fail");
            return;
        }
        SetAside(seq, attempt, what);
    }

    private void SetAside(long seq, int attempt, string reason)
    {
        _log.Warning("coordinator: {0}; set aside, the next prompt of the data order takes its place", reason);
        Persist(new PromptSetAside(seq, attempt, reason), evt =>
        {
            _state = _history.Apply(_state, evt);
            Dispatch();
        });
    }

    /// <summary>
    /// Returns several prompts in one journal write and dispatches once after it: separate writes would each dispatch
    /// from a state that does not yet hold the issues planned by the one before, and issue a prompt twice.
    /// </summary>
    private void ReturnAll(IReadOnlyList<PromptAttempt> prompts, string reason)
    {
        var current = prompts.Where(p => _state.InFlight.TryGetValue(p.Seq, out var attempt) && attempt == p.Attempt).ToArray();
        // Prompts out of attempts are set aside (or stop the run) one by one; the rest go back in one journal write.
        foreach (var p in current.Where(p => _state.FailuresOf(p.Seq) + 1 >= _settings.MaxAttempts)) GiveUp(p.Seq, p.Attempt, reason);
        var events = current.Where(p => _state.FailuresOf(p.Seq) + 1 < _settings.MaxAttempts)
            .Select(p => new PromptReturned(p.Seq, p.Attempt, reason, true)).ToArray();
        if (events.Length == 0) return;
        foreach (var e in events) _log.Info("coordinator: prompt {0} attempt {1} returned: {2}", e.Seq, e.Attempt, reason);
        var left = events.Length;
        PersistAll(events, evt =>
        {
            _state = _history.Apply(_state, evt);
            if (--left == 0) Dispatch();
        });
    }

    /// <summary>
    /// Plans which workers with credits get which prompts (round-robin, one credit per prompt), journals the issues,
    /// then sends the work.
    /// </summary>
    private void Dispatch()
    {
        if (IsComplete) return;
        var planned = new List<(IActorRef Worker, PromptIssued Event)>();
        var state = _state;
        // A worker whose credits a fresh request reset may still be queued: skip it.
        while (_idle.Count > 0 && (!_workers.TryGetValue(_idle.Peek(), out var queued) || queued.Credits <= 0)) _idle.Dequeue();
        while (_idle.Count > 0
               && AdmissionControl.CanAccept(state.Accepted, state.PolicyVersion, _settings.MaxStaleness, _settings.PromptsPerStep)
               && state.NextToIssue(TotalPrompts) is { } next)
        {
            var issued = new PromptIssued(next.Seq, next.Attempt);
            var worker = _idle.Dequeue();
            var slot = _workers[worker];
            if (--slot.Credits > 0) _idle.Enqueue(worker);
            planned.Add((worker, issued));
            while (_idle.Count > 0 && (!_workers.TryGetValue(_idle.Peek(), out var queued) || queued.Credits <= 0)) _idle.Dequeue();
            state = state.Apply(issued);
        }
        if (planned.Count == 0) return;

        var byEvent = planned.ToDictionary(p => p.Event, p => p.Worker);
        foreach (var (worker, evt) in planned) _workers[worker].Assignments.Add(new PromptAttempt(evt.Seq, evt.Attempt));
        PersistAll(planned.Select(p => p.Event), evt =>
        {
            _state = _history.Apply(_state, evt);
            Send(byEvent[evt], evt);
        });
    }

    private void Send(IActorRef worker, PromptIssued issued)
    {
        if (!_workers.TryGetValue(worker, out var slot))
        {
            Return(issued.Seq, issued.Attempt, "worker left before the prompt was sent", null, failed: false);
            return;
        }
        if (_latestPolicy is { } policy && slot.PolicyVersion < policy.Version)
        {
            worker.Tell(new UpdatePolicy(policy.Version, policy));
            slot.PolicyVersion = policy.Version;
        }
        var (epoch, index) = _order.Locate(issued.Seq);
        var p = _problems[index];
        var work = new PromptWork(issued.Seq, epoch, p.Id, p.Prompt, p.Answer, p.Demonstration);
        _issuedTo[issued.Seq] = (issued.Attempt, slot.WorkerId);
        worker.Tell(new GenerateRollouts(work, issued.Attempt, _settings.SamplesPerPrompt, _state.PolicyVersion));
    }

    private RunCompleted Completed() => new(_state.Step, _state.PolicyVersion);

    private RunStatus Status() => new(_state.Step, _state.PolicyVersion, _state.Accepted, _state.InFlight.Count,
        _state.ReturnedTotal, _workers.Count, _state.Trained.OrderBy(s => s).ToArray(), IsComplete)
    {
        GateState = _state.GateState,
        SetAside = _state.SetAside.Count,
    };

    private sealed class WorkerSlot(string workerId)
    {
        public string WorkerId { get; } = workerId;
        public long PolicyVersion { get; set; }
        /// <summary>Prompts sent to the worker and not yet delivered downstream or handed back.</summary>
        public HashSet<PromptAttempt> Assignments { get; } = [];
        /// <summary>Prompts the worker asked for and has not been sent yet.</summary>
        public int Credits { get; set; }
    }
}
