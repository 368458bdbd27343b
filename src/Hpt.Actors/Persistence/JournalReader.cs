using Akka.Actor;
using Akka.Persistence;
using Hpt.Actors.Coordinator;

namespace Hpt.Actors.Persistence;

/// <summary>
/// Reads a run's journal by recovering a throw-away persistent actor with the coordinator's persistence id: works
/// on every journal plugin (the in-memory one has no query side), and reads the snapshot and the events exactly as a
/// resuming coordinator does. The effective history is the coordinator's own (<see cref="CoordinatorHistory"/>), so
/// a resumed run and an uninterrupted one can be compared step by step.
/// </summary>
public static class JournalReader
{
    /// <summary>The events the journal still holds (those after the newest snapshot).</summary>
    public static async Task<IReadOnlyList<ICoordinatorEvent>> ReadAsync(ActorSystem system, string runId, TimeSpan timeout) =>
        (await ReadViewAsync(system, runId, timeout)).Events;

    /// <summary>The newest snapshot, the events after it, and the state they add up to.</summary>
    public static async Task<JournalView> ReadViewAsync(ActorSystem system, string runId, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<JournalView>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = system.ActorOf(Props.Create(() => new Reader($"hpt-coordinator-{runId}", done)));
        try
        {
            return await done.Task.WaitAsync(timeout);
        }
        finally
        {
            system.Stop(reader);
        }
    }

    /// <summary>
    /// The StepRecorded events of a whole journal (one no snapshot has shortened) that stand after applying every
    /// rollback, in step order.
    /// </summary>
    public static IReadOnlyList<StepRecorded> EffectiveSteps(IEnumerable<ICoordinatorEvent> events)
    {
        var history = new CoordinatorHistory(int.MaxValue);
        var state = CoordinatorState.Initial;
        foreach (var evt in events) state = history.Apply(state, evt);
        return history.Steps;
    }

    private sealed class Reader : ReceivePersistentActor
    {
        private readonly List<ICoordinatorEvent> _events = [];
        // Unbounded: a reader keeps every step it replays (the coordinator keeps the retained checkpoints' only).
        private readonly CoordinatorHistory _history = new(int.MaxValue);
        private CoordinatorSnapshot? _snapshot;
        private CoordinatorState _state = CoordinatorState.Initial;
        private readonly TaskCompletionSource<JournalView> _done;

        public Reader(string persistenceId, TaskCompletionSource<JournalView> done)
        {
            _done = done;
            PersistenceId = persistenceId;
            Recover<SnapshotOffer>(offer =>
            {
                _snapshot = (CoordinatorSnapshot)offer.Snapshot;
                _state = _snapshot.Restore(_history);
            });
            Recover<ICoordinatorEvent>(evt =>
            {
                _events.Add(evt);
                _state = _history.Apply(_state, evt);
            });
            Recover<RecoveryCompleted>(_ => done.TrySetResult(new JournalView(_snapshot, _events, _state, LastSequenceNr, _history.Steps)));
        }

        public override string PersistenceId { get; }

        // A journal that cannot be read says why at once instead of running into the caller's timeout.
        protected override void OnRecoveryFailure(Exception reason, object? message = null) => _done.TrySetException(reason);
    }
}

/// <summary>
/// What a run's journal holds: the newest snapshot (null when none), the events after it, the state both add up to,
/// the highest sequence number written (events before the snapshot may be deleted), and the effective steps after
/// the snapshot (the snapshot's state holds the earlier ones as trained seqs).
/// </summary>
public sealed record JournalView(
    CoordinatorSnapshot? Snapshot,
    IReadOnlyList<ICoordinatorEvent> Events,
    CoordinatorState State,
    long LastSequenceNr,
    IReadOnlyList<StepRecorded> StepsAfterSnapshot);
