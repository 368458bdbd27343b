using System.Collections.Immutable;
using Hpt.Actors.Coordinator;

namespace Hpt.Actors.Persistence.Journal;

/// <summary>
/// Reader of <c>hpt.coordinator-snapshot.v1</c>. Never written. v1 did not store the prompts set aside: every seq
/// below the data cursor is trained, in flight, returned or set aside, so the set-aside ones are the seqs in none of
/// the other three. v1 did not store failed-generation counts either: those restart at 0 (a prompt not yet trained
/// may get up to hpt.pipeline.max-attempts more attempts). Its Step and PolicyVersion are one counter; Step is read, as
/// in <see cref="StoredSnapshotV2"/>.
/// </summary>
public sealed record StoredSnapshotV1(int Format, StoredSnapshotV1.StateV1 Current, StoredSnapshotV1.StateV1[] History, long[] Anchors)
{
    public CoordinatorSnapshot ToSnapshot()
    {
        if (Format != 1)
            throw new System.Runtime.Serialization.SerializationException(
                $"stored record '{StoredManifests.CoordinatorSnapshotV1}' says format {Format}: written by a different version of hpt");
        return new(Current.ToState(), (History ?? []).Select(h => h.ToState()).ToArray(), Anchors ?? []);
    }

    public sealed record StateV1(
        long Step,
        long PolicyVersion,
        long NextSeq,
        long Accepted,
        SeqAttempt[] InFlight,
        SeqAttempt[] Returned,
        SeqRange[] Trained,
        StoredGroupV1[] Scored,
        int ReturnedTotal)
    {
        public SeqOrder[] ScoredOrder { get; init; } = [];
        public long ScoredTotal { get; init; }
        public IReadOnlyDictionary<string, double>? GateState { get; init; }

        public CoordinatorState ToState()
        {
            var trained = SeqRange.Expand(Trained ?? []).ToImmutableHashSet();
            var inFlight = (InFlight ?? []).ToImmutableSortedDictionary(a => a.Seq, a => a.Attempt);
            var returned = (Returned ?? []).ToImmutableSortedDictionary(a => a.Seq, a => a.Attempt);
            var setAside = ImmutableSortedSet.CreateBuilder<long>();
            for (var seq = 0L; seq < NextSeq; seq++)
                if (!trained.Contains(seq) && !inFlight.ContainsKey(seq) && !returned.ContainsKey(seq)) setAside.Add(seq);
            return new CoordinatorState
            {
                PolicyVersion = Step,
                NextSeq = NextSeq,
                Accepted = Accepted,
                InFlight = inFlight,
                Returned = returned,
                Trained = trained,
                Scored = (Scored ?? []).Select(g => g.ToEvent()).ToImmutableSortedDictionary(g => g.Seq, g => g),
                ScoredOrder = (ScoredOrder ?? []).ToImmutableSortedDictionary(o => o.Seq, o => o.Position),
                ScoredTotal = ScoredTotal,
                ReturnedTotal = ReturnedTotal,
                SetAside = setAside.ToImmutable(),
                GateState = GateState,
            };
        }
    }
}
