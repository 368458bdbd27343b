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
    private readonly ProblemBook _problems;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<IActorRef, WorkerSlot> _workers = new();
    private readonly Queue<IActorRef> _idle = new(); // workers with credits, served round-robin
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
    /// <summary>Why the run stalled (hpt.pipeline.stall-abort), once reported; null while it is not.</summary>
    private string? _stalled;

    public ITimerScheduler Timers { get; set; } = null!;
    private readonly IntakeLimits? _intake;

    /// <param name="intake">Limits every generated group must meet before it is journaled; null = no checks (unit tests).</param>
    public CoordinatorActor(string runId, PipelineSettings settings, IReadOnlyList<Hpt.Tasks.Problem> problems, int seed,
        PolicySnapshot? initialPolicy = null, IntakeLimits? intake = null, SnapshotPolicy? snapshots = null)
    {
        _intake = intake;
        PersistenceId = $"hpt-coordinator-{runId}";
        _settings = settings;
        _snapshots = snapshots ?? SnapshotPolicy.None;
        _history = new CoordinatorHistory(_snapshots.KeepCheckpoints);
        _problems = new ProblemBook(problems, seed);
        _latestPolicy = initialPolicy;

        Recover<SnapshotOffer>(offer => _state = ((CoordinatorSnapshot)offer.Snapshot).Restore(_history));
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
        Command<WatchRun>(w =>
        {
            if (IsComplete) w.ReplyTo.Tell(Completed());
            // A watcher that registers after the stall was reported (a node's watcher re-registering, a host asking late)
            // hears it too, instead of waiting for a step that will not come.
            else if (_stalled is not null) w.ReplyTo.Tell(new RunStalled(_stalled));
            else _watchers.Add(w.ReplyTo);
        });
        Command<GetRunStatus>(_ => Sender.Tell(Status()));
        Command<ResumeFrom>(OnResumeFrom);
        Command<GroupVerified>(OnGroupVerified);
        Command<GateReady>(OnGateReady);
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

    public static Props Props(string runId, PipelineSettings settings, IReadOnlyList<Hpt.Tasks.Problem> problems, int seed,
        PolicySnapshot? initialPolicy = null, IntakeLimits? intake = null, SnapshotPolicy? snapshots = null) =>
        Akka.Actor.Props.Create(() => new CoordinatorActor(runId, settings, problems, seed, initialPolicy, intake, snapshots));

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
    private bool IsComplete => _state.PolicyVersion >= _settings.TotalSteps;

    private void OnRecovered()
    {
        if (!_state.InFlight.IsEmpty)
            _log.Info("coordinator: resuming at step {0}; {1} prompts in flight at the crash are issued again",
                _state.PolicyVersion, _state.InFlight.Count);
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
            foreach (var slot in _workers.Values) slot.Assignments.Remove(new PromptAttempt(seq, issue.Attempt));
            // Counted as a failed attempt: a prompt whose verdict never comes must not be retried without bound either.
            Return(seq, issue.Attempt, reason, null, failed: true);
        }

        var quiet = _sinceStep.Elapsed;
        string? stalled = null;
        if (quiet >= _settings.StallWarning && quiet - _lastStallWarning >= _settings.StallWarning)
        {
            _lastStallWarning = quiet;
            _log.Warning("coordinator: no step completed for {0:0}s (hpt.pipeline.stall-warning): {1}", quiet.TotalSeconds, Report().Describe());
        }
        if (_settings.StallAbort > TimeSpan.Zero && quiet >= _settings.StallAbort && _stalled is null)
        {
            stalled = _stalled = $"no step completed for {quiet.TotalSeconds:0}s (hpt.pipeline.stall-abort = {_settings.StallAbort}): {Report().Describe()}";
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
        return new PipelineReport(DateTime.UtcNow, _state.PolicyVersion, _settings.TotalSteps, now.TotalSeconds,
            _sinceStep.Elapsed.TotalSeconds, last, mean, rate, _lastMetrics?.OfflineSampleRatio, _state.Accepted,
            AdmissionControl.Capacity(_state.PolicyVersion, _settings.MaxStaleness, _settings.PromptsPerStep, _settings.OverProvision),
            _state.Returned.Count,
            _state.Scored.Count, _idle.Count, workers, IsComplete, stalled);
    }

    private void OnResumeFrom(ResumeFrom resume)
    {
        if (resume.Step > _state.PolicyVersion)
            throw new InvalidOperationException(
                $"checkpoint step {resume.Step} is ahead of the journal's step {_state.PolicyVersion}: the run directory is inconsistent");
        if (resume.Step == _state.PolicyVersion)
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
            resume.Step, resume.Step + 1, _state.PolicyVersion);
        // A published policy newer than the checkpoint no longer exists; the learner publishes the loaded one.
        if (_latestPolicy is { } policy && policy.Version > resume.Step) _latestPolicy = null;
        Persist(new RolledBack(resume.Step, _state.PolicyVersion), evt =>
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
        _log.Info("coordinator: snapshot of step {0} saved; deleting the {1} journal events it covers", _state.PolicyVersion, saved.Metadata.SequenceNr);
        DeleteMessages(saved.Metadata.SequenceNr);
        DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
    }

    /// <summary>Journals a verified group before the gate sees it, so a crash after this point never regenerates it.</summary>
    private void OnGroupVerified(GroupVerified verified)
    {
        var g = verified.Group;
        // Only verifier members give verdicts (a process that merely knows this actor's path does not).
        if (!Cluster.MemberRoles.Has(Context.System, Sender, Cluster.ClusterSettings.Verifier))
        {
            _log.Warning("coordinator: verdict for prompt {0} from {1}, which is not a verifier member; dropped", g.Work.Seq, Sender.Path);
            // The group of a genuine worker was checked by a verifier that does not count (a node of another run or other
            // settings, routed to before it left): its real verdict will never come, so the prompt is issued again now
            // rather than after hpt.pipeline.work-timeout (seen: a 30-minute stall). Not a failed attempt: the prompt is fine.
            if (_issued.TryGetValue(g.Work.Seq, out var issue) && issue.Attempt == g.Attempt && issue.WorkerId == g.WorkerId)
            {
                _issued.Remove(g.Work.Seq);
                foreach (var slot in _workers.Values) slot.Assignments.Remove(new PromptAttempt(g.Work.Seq, g.Attempt));
                Return(g.Work.Seq, g.Attempt, $"its verdict came from {Sender.Path.Address}, which is not a verifier member", null, failed: false);
            }
            return;
        }
        if (!_state.InFlight.TryGetValue(g.Work.Seq, out var current) || current != g.Attempt || _state.Trained.Contains(g.Work.Seq))
        {
            _log.Debug("coordinator: verdict for prompt {0} attempt {1} is no longer current; dropped", g.Work.Seq, g.Attempt);
            return;
        }
        if (_issued.TryGetValue(g.Work.Seq, out var holder) && (holder.Attempt != g.Attempt || holder.WorkerId != g.WorkerId))
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
        // The problem (answer, demonstration) is the coordinator's own: the journal and the gate get it from here.
        PersistAsync(new GroupScored(g.Work.Seq, g.Attempt, _problems.At(g.Work.Seq), verified), evt =>
        {
            _state = _history.Apply(_state, evt);
            _gate?.Tell(evt);
        });
    }

    /// <summary>The gate has started: hand it every verified group the journal holds that is not trained yet.</summary>
    private void OnGateReady(GateReady ready)
    {
        _gate = ready.Gate;
        // In journal order: the order the gate first saw them in, which a stateful gate's decisions depend on.
        foreach (var scored in _state.Scored.Values.OrderBy(s => _state.ScoredOrder[s.Seq]).ToArray())
        {
            // Journaled by an older build or a corrupted store: setting it aside beats crashing the learner forever.
            if (IntakeProblem(scored.Verified) is { } problem)
            {
                SetAside(scored.Seq, scored.Attempt, $"journaled group of prompt {scored.Seq} cannot be trained: {problem}");
                continue;
            }
            _gate.Tell(scored);
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
        var issued = _problems.At(g.Work.Seq);
        // The prompt's text is the coordinator's own, never the sender's (and the answer never left this side).
        if (g.Work.ProblemId != issued.Id || g.Work.Prompt != issued.Prompt)
            return $"the prompt does not match prompt {g.Work.Seq} (problem '{issued.Id}')";
        // The policies that exist include the one published ahead of its step's event (the learner tells
        // PolicyPublished, then StepCompleted, and a worker may sample with it before that event is journaled).
        var newestPolicy = Math.Max(_state.PolicyVersion, _latestPolicy?.Version ?? 0);
        return _intake?.Problem(verified, _settings.SamplesPerPrompt, newestPolicy);
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
            worker.Tell(new UpdatePolicy(published.Snapshot));
            slot.PolicyVersion = Math.Max(slot.PolicyVersion, published.Snapshot.Version);
        }
    }

    private void OnStepCompleted(StepCompleted step)
    {
        // The metrics name the step by the version it produced (the learner builds them so; the stored record keeps the number once).
        var metrics = step.Metrics with { Step = step.PolicyVersion, SetAsidePrompts = _state.SetAside.Count };
        Persist(new StepRecorded(step.PolicyVersion, step.ConsumedSeqs.ToArray(), metrics) { GateState = step.GateState }, evt =>
        {
            _state = _history.Apply(_state, evt);
            // Here no other write is pending (Persist stashed every command since), so the snapshot's sequence
            // number covers exactly the state it holds.
            if (_snapshots.IsDue(evt.PolicyVersion)) SaveSnapshot(CoordinatorSnapshot.Of(_state, _history));
            _sinceStep.Restart();
            _lastStallWarning = TimeSpan.Zero;
            _lastMetrics = evt.Metrics;
            _recentSteps.Enqueue((_clock.Elapsed.TotalSeconds, evt.Metrics.Samples));
            while (_recentSteps.Count > RecentSteps + 1) _recentSteps.Dequeue();
            Context.System.EventStream.Publish(Report());
            foreach (var seq in evt.Seqs) _issued.Remove(seq);
            Context.System.EventStream.Publish(new RunProgress(evt.PolicyVersion, _settings.TotalSteps, evt.Metrics, _clock.Elapsed.TotalSeconds));
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
        var what = $"prompt {seq} (problem '{_problems.At(seq).Id}') failed {_state.FailuresOf(seq) + 1} times " +
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
               && AdmissionControl.CanAccept(state.Accepted, state.PolicyVersion, _settings.MaxStaleness, _settings.PromptsPerStep, _settings.OverProvision)
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
            worker.Tell(new UpdatePolicy(policy));
            slot.PolicyVersion = policy.Version;
        }
        var work = _problems.Work(issued.Seq);
        _issued[issued.Seq] = new Issue(issued.Attempt, slot.WorkerId, _clock.Elapsed);
        worker.Tell(new GenerateRollouts(work, issued.Attempt, _settings.SamplesPerPrompt, _state.PolicyVersion));
    }

    private RunCompleted Completed() => new(_state.PolicyVersion);

    private RunStatus Status() => new(_state.PolicyVersion, _state.Accepted, _state.InFlight.Count,
        _state.ReturnedTotal, _workers.Count, _state.Trained.OrderBy(s => s).ToArray(), IsComplete)
    {
        GateState = _state.GateState,
        SetAside = _state.SetAside.Count,
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
        /// <summary>Prompts sent to the worker and not yet delivered downstream or handed back.</summary>
        public HashSet<PromptAttempt> Assignments { get; } = [];
        /// <summary>Prompts the worker asked for and has not been sent yet.</summary>
        public int Credits { get; set; }
    }
}
