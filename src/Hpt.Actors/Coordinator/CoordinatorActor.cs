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
public sealed class CoordinatorActor : ReceivePersistentActor, IWithTimers
{
    private const int RecentSteps = 10;
    private readonly PipelineSettings _settings;
    private readonly IReadOnlyList<PromptSpec> _problems;
    private readonly DataOrder _order;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, WorkerSlot> _workers = new();
    private readonly Queue<IActorRef> _idle = new();
    // A set: cluster nodes register their watch again whenever the singleton may have moved.
    private readonly HashSet<IActorRef> _watchers = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CoordinatorHistory _history;
    private readonly SnapshotPolicy _snapshots;
    private CoordinatorState _state = CoordinatorState.Initial;
    private PolicySnapshot? _latestPolicy;
    private IActorRef? _gate;
    // In memory only (a restart re-issues everything in flight): when each issued prompt went out, and to whom.
    private readonly Dictionary<long, Issue> _issued = new();
    private readonly Stopwatch _sinceStep = Stopwatch.StartNew();
    private readonly Queue<(double At, double Samples)> _recentSteps = new();
    private StepMetrics? _lastMetrics;
    private TimeSpan _lastStallWarning;
    private bool _stallReported;

    public ITimerScheduler Timers { get; set; } = null!;

    public CoordinatorActor(string runId, PipelineSettings settings, IReadOnlyList<PromptSpec> problems, int seed,
        PolicySnapshot? initialPolicy = null, SnapshotPolicy? snapshots = null)
    {
        PersistenceId = $"hpt-coordinator-{runId}";
        _settings = settings;
        _snapshots = snapshots ?? SnapshotPolicy.None;
        _history = new CoordinatorHistory(_snapshots.KeepCheckpoints);
        _problems = problems;
        _order = new DataOrder(problems.Count, seed);
        _latestPolicy = initialPolicy;

        Recover<SnapshotOffer>(offer => _state = ((CoordinatorSnapshot)offer.Snapshot).Restore(_history));
        Recover<ICoordinatorEvent>(evt => _state = _history.Apply(_state, evt));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<RequestWork>(OnRequestWork);
        Command<RegisterWorker>(r => { if (!_workers.ContainsKey(r.Worker)) OnRequestWork(new RequestWork(r.Worker, r.WorkerId, r.PolicyVersion)); });
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
        Command<CheckpointSaved>(saved => MarkCheckpoint(saved.Step));
        Command<Tick>(_ => OnTick());
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(f => _log.Warning("coordinator: snapshot at sequence {0} failed ({1}); the journal keeps every event until the next one",
            f.Metadata.SequenceNr, f.Cause.Message));
        Command<DeleteMessagesSuccess>(d => _log.Debug("coordinator: journal events up to {0} deleted", d.ToSequenceNr));
        Command<DeleteMessagesFailure>(f => _log.Warning("coordinator: deleting journal events up to {0} failed ({1}); they are replayed on resume, nothing is lost",
            f.ToSequenceNr, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("coordinator: deleting old snapshots failed ({0})", f.Cause.Message));
    }

    public override string PersistenceId { get; }

    public static Props Props(string runId, PipelineSettings settings, IReadOnlyList<PromptSpec> problems, int seed,
        PolicySnapshot? initialPolicy = null, SnapshotPolicy? snapshots = null) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(runId, settings, problems, seed, initialPolicy, snapshots));

    private long TotalPrompts => _settings.TotalSteps * _settings.PromptsPerStep;
    private bool IsComplete => _state.Step >= _settings.TotalSteps;

    private void OnRecovered()
    {
        if (!_state.InFlight.IsEmpty)
            _log.Info("coordinator: resuming at step {0}; {1} prompts in flight at the crash are issued again",
                _state.Step, _state.InFlight.Count);
        // In-memory only: replaying the journal reproduces this, so it need not be persisted.
        _state = _state.ReturnAllInFlight();
        _recentSteps.Enqueue((_clock.Elapsed.TotalSeconds, 0));
        var shortest = _settings.WorkTimeout < _settings.StallWarning ? _settings.WorkTimeout : _settings.StallWarning;
        var every = TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 5, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(5).Ticks));
        Timers.StartPeriodicTimer("tick", Tick.Instance, every);
    }

    /// <summary>
    /// The watchdog: re-issues prompts past hpt.pipeline.work-timeout, warns when no step has completed for
    /// hpt.pipeline.stall-warning (saying what each role is doing), tells the run to stop past hpt.pipeline.stall-abort,
    /// and publishes the pipeline's report (status.json).
    /// </summary>
    private void OnTick()
    {
        if (IsComplete) return;
        var now = _clock.Elapsed;
        foreach (var (seq, issue) in AwaitingVerdict().ToArray())
        {
            if (now - issue.At < _settings.WorkTimeout) continue;
            _issued.Remove(seq);
            var reason = $"no verified group from {issue.WorkerId} within hpt.pipeline.work-timeout ({_settings.WorkTimeout}); the worker, " +
                         "a verifier or a message was lost";
            _log.Warning("coordinator: prompt {0} attempt {1}: {2}; issuing it again", seq, issue.Attempt, reason);
            foreach (var slot in _workers.Values)
                if (slot.Assignment is { } a && a.Seq == seq) slot.Assignment = null;
            Return(seq, issue.Attempt, reason, null);
        }

        var quiet = _sinceStep.Elapsed;
        string? stalled = null;
        if (quiet >= _settings.StallWarning && quiet - _lastStallWarning >= _settings.StallWarning)
        {
            _lastStallWarning = quiet;
            _log.Warning("coordinator: no step completed for {0:0}s (hpt.pipeline.stall-warning): {1}", quiet.TotalSeconds, Report().Describe());
        }
        if (_settings.StallAbort > TimeSpan.Zero && quiet >= _settings.StallAbort && !_stallReported)
        {
            _stallReported = true;
            stalled = $"no step completed for {quiet.TotalSeconds:0}s (hpt.pipeline.stall-abort = {_settings.StallAbort}): {Report().Describe()}";
            _log.Error("coordinator: the run is stalled: {0}", stalled);
            foreach (var watcher in _watchers) watcher.Tell(new RunStalled(stalled));
        }
        Context.System.EventStream.Publish(Report(stalled));
    }

    /// <summary>Issued prompts of the current attempt whose verified group has not arrived.</summary>
    private IEnumerable<KeyValuePair<long, Issue>> AwaitingVerdict()
    {
        foreach (var entry in _issued.ToArray())
        {
            if (_state.InFlight.TryGetValue(entry.Key, out var attempt) && attempt == entry.Value.Attempt && !_state.Scored.ContainsKey(entry.Key))
                yield return entry;
            else
                _issued.Remove(entry.Key);
        }
    }

    private PipelineReport Report(string? stalled = null)
    {
        var now = _clock.Elapsed;
        var awaiting = AwaitingVerdict().ToLookup(e => e.Value.WorkerId);
        var ids = _workers.Values.Select(w => w.WorkerId).Union(awaiting.Select(g => g.Key)).Distinct().Order(StringComparer.Ordinal);
        var versions = _workers.Values.GroupBy(w => w.WorkerId).ToDictionary(g => g.Key, g => g.Max(w => w.PolicyVersion));
        var workers = ids.Select(id => new WorkerReport(id, versions.GetValueOrDefault(id, -1),
            awaiting[id].OrderBy(e => e.Key).Select(e => new PromptInFlight(e.Key, e.Value.Attempt, (now - e.Value.At).TotalSeconds)).ToArray())).ToArray();
        var recent = _recentSteps.ToArray();
        double? last = recent.Length >= 2 ? recent[^1].At - recent[^2].At : null;
        double? mean = recent.Length >= 2 ? (recent[^1].At - recent[0].At) / (recent.Length - 1) : null;
        double? rate = recent.Length >= 2 && recent[^1].At > recent[0].At
            ? recent.Skip(1).Sum(r => r.Samples) / (recent[^1].At - recent[0].At)
            : null;
        return new PipelineReport(DateTime.UtcNow, _state.Step, _settings.TotalSteps, _state.PolicyVersion, now.TotalSeconds,
            _sinceStep.Elapsed.TotalSeconds, last, mean, rate, _lastMetrics?.OfflineSampleRatio, _state.Accepted,
            AdmissionControl.Capacity(_state.PolicyVersion, _settings.MaxStaleness, _settings.PromptsPerStep),
            _state.Returned.Count,
            _state.Scored.Count, _idle.Count, workers, IsComplete, stalled);
    }

    private void OnResumeFrom(ResumeFrom resume)
    {
        if (resume.Step > _state.Step)
            throw new InvalidOperationException(
                $"checkpoint step {resume.Step} is ahead of the journal's step {_state.Step}: the run directory is inconsistent");
        if (resume.Step == _state.Step)
        {
            MarkCheckpoint(resume.Step);
            Sender.Tell(Status());
            return;
        }
        var replyTo = Sender;
        if (!_history.States.ContainsKey(resume.Step))
        {
            // Checked before anything is journaled: a RolledBack event that cannot be replayed would block every resume.
            var error = new InvalidOperationException(
                $"the journal has no state for step {resume.Step} to roll back to (it keeps the states of the newest " +
                $"hpt.checkpoint.keep checkpoints: steps {string.Join(", ", _history.States.Keys)}); " +
                "restore a newer checkpoint folder or start a new run directory");
            _log.Error(error.Message);
            replyTo.Tell(new Status.Failure(error));
            return;
        }
        _log.Warning("coordinator: the newest intact checkpoint is step {0}; steps {1}..{2} are trained again",
            resume.Step, resume.Step + 1, _state.Step);
        // A published policy newer than the checkpoint no longer exists; the learner publishes the loaded one.
        if (_latestPolicy is { } policy && policy.Version > resume.Step) _latestPolicy = null;
        Persist(new RolledBack(resume.Step, _state.Step), evt =>
        {
            _state = _history.Apply(_state, evt);
            MarkCheckpoint(resume.Step);
            replyTo.Tell(Status());
        });
    }

    /// <summary>
    /// Journals that a checkpoint of <paramref name="step"/> exists (once): a rollback may return there, so its state
    /// stays in the history and in snapshots. The run's resume marks the loaded checkpoint too, which covers a crash
    /// between the learner's save and this event.
    /// </summary>
    private void MarkCheckpoint(long step)
    {
        if (step <= 0 || _history.Anchors.Contains(step) || !_history.States.ContainsKey(step)) return;
        Persist(new CheckpointCovered(step), evt => _state = _history.Apply(_state, evt));
    }

    /// <summary>
    /// The snapshot holds everything the events before it said (and the rollback states of the retained
    /// checkpoints), so those events and older snapshots are redundant: delete them.
    /// </summary>
    private void OnSnapshotSaved(SaveSnapshotSuccess saved)
    {
        _log.Info("coordinator: snapshot of step {0} saved; deleting the {1} journal events it covers", _state.Step, saved.Metadata.SequenceNr);
        DeleteMessages(saved.Metadata.SequenceNr);
        DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
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
        slot.Assignment = null; // a request means the previous prompt was delivered downstream
        slot.PolicyVersion = request.PolicyVersion;
        if (!_idle.Contains(request.Worker)) _idle.Enqueue(request.Worker);
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
            // Here no other write is pending (Persist stashed every command since), so the snapshot's sequence
            // number covers exactly the state it holds.
            if (_snapshots.IsDue(evt.Step)) SaveSnapshot(CoordinatorSnapshot.Of(_state, _history));
            _sinceStep.Restart();
            _lastStallWarning = TimeSpan.Zero;
            _lastMetrics = evt.Metrics;
            _recentSteps.Enqueue((_clock.Elapsed.TotalSeconds, evt.Metrics.Samples));
            while (_recentSteps.Count > RecentSteps + 1) _recentSteps.Dequeue();
            Context.System.EventStream.Publish(Report());
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
        if (slot.Assignment is { } a)
            Return(a.Seq, a.Attempt, $"worker {slot.WorkerId} stopped", null);
    }

    private void Return(long seq, int attempt, string reason, IActorRef? worker)
    {
        if (worker is not null && _workers.TryGetValue(worker, out var slot)) slot.Assignment = null;
        if (!_state.InFlight.TryGetValue(seq, out var current) || current != attempt) return;
        _log.Info("coordinator: prompt {0} attempt {1} returned: {2}", seq, attempt, reason);
        Persist(new PromptReturned(seq, attempt, reason), evt =>
        {
            _state = _history.Apply(_state, evt);
            Dispatch();
        });
    }

    /// <summary>Plans which idle workers get which prompts, journals the issues, then sends the work.</summary>
    private void Dispatch()
    {
        if (IsComplete) return;
        var planned = new List<(IActorRef Worker, PromptIssued Event)>();
        var state = _state;
        while (_idle.Count > 0
               && AdmissionControl.CanAccept(state.Accepted, state.PolicyVersion, _settings.MaxStaleness, _settings.PromptsPerStep)
               && state.NextToIssue(TotalPrompts) is { } next)
        {
            var issued = new PromptIssued(next.Seq, next.Attempt);
            planned.Add((_idle.Dequeue(), issued));
            state = state.Apply(issued);
        }
        if (planned.Count == 0) return;

        var byEvent = planned.ToDictionary(p => p.Event, p => p.Worker);
        foreach (var (worker, evt) in planned) _workers[worker].Assignment = (evt.Seq, evt.Attempt);
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
        _issued[issued.Seq] = new Issue(issued.Attempt, slot.WorkerId, _clock.Elapsed);
        worker.Tell(new GenerateRollouts(work, issued.Attempt, _settings.SamplesPerPrompt, _state.PolicyVersion));
    }

    private RunCompleted Completed() => new(_state.Step, _state.PolicyVersion);

    private RunStatus Status() => new(_state.Step, _state.PolicyVersion, _state.Accepted, _state.InFlight.Count,
        _state.ReturnedTotal, _workers.Count, _state.Trained.OrderBy(s => s).ToArray(), IsComplete)
    {
        GateState = _state.GateState,
    };

    private sealed record Issue(int Attempt, string WorkerId, TimeSpan At);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed class WorkerSlot(string workerId)
    {
        public string WorkerId { get; } = workerId;
        public long PolicyVersion { get; set; }
        public (long Seq, int Attempt)? Assignment { get; set; }
    }
}
