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
    public static async Task<IReadOnlyList<ICoordinatorEvent>> ReadAsync(ActorSystem system, string runId, TimeSpan timeout)
    {
        var done = new TaskCompletionSource<IReadOnlyList<ICoordinatorEvent>>(TaskCreationOptions.RunContinuationsAsynchronously);
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

        public Reader(string persistenceId, TaskCompletionSource<IReadOnlyList<ICoordinatorEvent>> done)
        {
            PersistenceId = persistenceId;
            Recover<ICoordinatorEvent>(_events.Add);
            Recover<RecoveryCompleted>(_ => done.TrySetResult(_events));
        }

        public override string PersistenceId { get; }
    }
}
