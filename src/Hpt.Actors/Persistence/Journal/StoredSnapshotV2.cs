namespace Hpt.Actors.Persistence.Journal;

/// <summary>
/// Reader of <c>hpt.coordinator-snapshot.v2</c>. Never written. v2 stored each state's policy version twice, as
/// <c>Step</c> and <c>PolicyVersion</c>; the coordinator always wrote the same number into both (its state took both
/// from one <c>StepRecorded</c>, whose two fields held the learner's one version). Where they differ (only the approved
/// golden sample) <c>Step</c> is read, as for <see cref="StoredStepRecordedV1"/>: the history states are keyed by it and
/// the snapshot's anchors (the checkpointed steps) name states by it, so reading <c>PolicyVersion</c> there would leave
/// an anchor without its state.
/// </summary>
public sealed record StoredSnapshotV2(StoredSnapshotV2.StateV2 Current, StoredSnapshotV2.StateV2[] History, long[] Anchors)
{
    public Coordinator.CoordinatorSnapshot ToSnapshot() =>
        new StoredSnapshot(Current.ToStored(), (History ?? []).Select(h => h.ToStored()).ToArray(), Anchors ?? []).ToSnapshot();

    public sealed record StateV2(
        long Step,
        long PolicyVersion,
        long NextSeq,
        long Accepted,
        SeqAttempt[] InFlight,
        SeqAttempt[] Returned,
        SeqRange[] Trained,
        StoredGroup[] Scored,
        SeqOrder[] ScoredOrder,
        long ScoredTotal,
        int ReturnedTotal,
        SeqCount[] Failures,
        long[] SetAside,
        IReadOnlyDictionary<string, double>? GateState)
    {
        public StoredState ToStored() =>
            new(Step, NextSeq, Accepted, InFlight, Returned, Trained, Scored, ScoredOrder, ScoredTotal, ReturnedTotal, Failures, SetAside, GateState);
    }
}
