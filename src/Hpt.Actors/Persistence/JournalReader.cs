using Akka.Actor;
using Akka.Persistence;
using Hpt.Actors.Coordinator;

namespace Hpt.Actors.Persistence;

/// <summary>
/// Reads a run's journal by recovering a throw-away persistent actor with the coordinator's persistence id: works
/// on every journal plugin. The effective history applies <see cref="RolledBack"/> events, so a resumed run and an
/// uninterrupted one can be compared step by step.
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

    /// <summary>The StepRecorded events that stand after applying every rollback, in step order.</summary>
    public static IReadOnlyList<StepRecorded> EffectiveSteps(IEnumerable<ICoordinatorEvent> events)
    {
        var steps = new SortedDictionary<long, StepRecorded>();
        foreach (var evt in events)
        {
            switch (evt)
            {
                case StepRecorded s:
                    steps[s.Step] = s;
                    break;
                case RolledBack back:
                    foreach (var later in steps.Keys.Where(k => k > back.ToStep).ToArray()) steps.Remove(later);
                    break;
            }
        }
        return steps.Values.ToArray();
    }

    private sealed class Reader : ReceivePersistentActor
    {
        private readonly List<ICoordinatorEvent> _events = [];
        private readonly CoordinatorHistory _history = new(int.MaxValue);
        private CoordinatorSnapshot? _snapshot;
        private CoordinatorState _state = CoordinatorState.Initial;

        public Reader(string persistenceId, TaskCompletionSource<JournalView> done)
        {
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
            Recover<RecoveryCompleted>(_ => done.TrySetResult(new JournalView(_snapshot, _events, _state, LastSequenceNr)));
        }

        public override string PersistenceId { get; }
    }
}

/// <summary>
/// What a run's journal holds: the newest snapshot (null when none), the events after it, the state both add up to,
/// and the highest sequence number written (events before the snapshot may be deleted).
/// </summary>
public sealed record JournalView(CoordinatorSnapshot? Snapshot, IReadOnlyList<ICoordinatorEvent> Events, CoordinatorState State, long LastSequenceNr)
{
    /// <summary>Effective steps after the snapshot (the snapshot's state holds the earlier ones as trained seqs).</summary>
    public IReadOnlyList<StepRecorded> StepsAfterSnapshot => JournalReader.EffectiveSteps(Events);
}
