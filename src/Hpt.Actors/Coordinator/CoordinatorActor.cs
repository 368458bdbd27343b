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

    public CoordinatorActor(string runId, PipelineSettings settings, IReadOnlyList<PromptSpec> problems, int seed,
        PolicySnapshot? initialPolicy = null)
    {
        PersistenceId = $"hpt-coordinator-{runId}";
        _settings = settings;
        _problems = problems;
        _order = new DataOrder(problems.Count, seed);
        _latestPolicy = initialPolicy;

        Recover<ICoordinatorEvent>(evt => _state = _history.Apply(_state, evt));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<RequestWork>(OnRequestWork);
        Command<RegisterWorker>(r =>
        {
            if (!_workers.ContainsKey(r.Worker))
                OnRequestWork(new RequestWork(r.Worker, r.WorkerId, r.PolicyVersion) { Credits = r.Credits, Fresh = true });
        });
        Command<RolloutsFailed>(f => Return(f.Work.Seq, f.Attempt, $"worker {f.WorkerId} failed: {f.Reason}", Sender));
        Command<PromptTooStale>(s => Return(s.Work.Seq, s.Attempt, $"sample v{s.SampleVersion} too stale for learner v{s.LearnerVersion}", null));
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
        PolicySnapshot? initialPolicy = null) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(runId, settings, problems, seed, initialPolicy));

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
        if (!_state.InFlight.TryGetValue(g.Work.Seq, out var current) || current != g.Attempt || _state.Trained.Contains(g.Work.Seq))
        {
            _log.Debug("coordinator: verdict for prompt {0} attempt {1} is no longer current; dropped", g.Work.Seq, g.Attempt);
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
        foreach (var scored in _state.Scored.Values.OrderBy(s => _state.ScoredOrder[s.Seq])) _gate.Tell(scored.Verified);
        if (!_state.Scored.IsEmpty)
            _log.Info("coordinator: {0} verified groups from the journal go to the gate without being generated again", _state.Scored.Count);
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
        Persist(new StepRecorded(step.Step, step.PolicyVersion, step.ConsumedSeqs.ToArray(), step.Metrics) { GateState = step.GateState }, evt =>
        {
            _state = _history.Apply(_state, evt);
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
        // Every prompt the worker held goes back to be issued again.
        ReturnAll(slot.Assignments.OrderBy(a => a.Seq).ToArray(), $"worker {slot.WorkerId} stopped");
    }

    private void Return(long seq, int attempt, string reason, IActorRef? worker)
    {
        if (worker is not null && _workers.TryGetValue(worker, out var slot)) slot.Assignments.Remove(new PromptAttempt(seq, attempt));
        if (!_state.InFlight.TryGetValue(seq, out var current) || current != attempt) return;
        _log.Info("coordinator: prompt {0} attempt {1} returned: {2}", seq, attempt, reason);
        Persist(new PromptReturned(seq, attempt, reason), evt =>
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
        var events = prompts.Where(p => _state.InFlight.TryGetValue(p.Seq, out var current) && current == p.Attempt)
            .Select(p => new PromptReturned(p.Seq, p.Attempt, reason)).ToArray();
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
            Return(issued.Seq, issued.Attempt, "worker left before the prompt was sent", null);
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
        worker.Tell(new GenerateRollouts(work, issued.Attempt, _settings.SamplesPerPrompt, _state.PolicyVersion));
    }

    private RunCompleted Completed() => new(_state.Step, _state.PolicyVersion);

    private RunStatus Status() => new(_state.Step, _state.PolicyVersion, _state.Accepted, _state.InFlight.Count,
        _state.ReturnedTotal, _workers.Count, _state.Trained.OrderBy(s => s).ToArray(), IsComplete)
    {
        GateState = _state.GateState,
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
