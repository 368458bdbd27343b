namespace Hpt.Actors.Coordinator;

/// <summary>
/// What the coordinator saves to the snapshot store: its current state and the states after the steps a rollback may
/// return to (the retained checkpoints'), so the journal before the snapshot can be deleted. Stored as
/// <see cref="Persistence.Journal.StoredSnapshot"/> (the serializer maps it), never as this record.
/// </summary>
public sealed record CoordinatorSnapshot(CoordinatorState Current, IReadOnlyList<CoordinatorState> History, IReadOnlyList<long> Anchors)
{
    public static CoordinatorSnapshot Of(CoordinatorState current, CoordinatorHistory history) =>
        new(current, history.States.Values.ToArray(), history.Anchors.ToArray());

    /// <summary>Restores the state and fills <paramref name="history"/> with the rollback targets.</summary>
    public CoordinatorState Restore(CoordinatorHistory history)
    {
        history.Restore(History, Anchors);
        return Current;
    }
}
