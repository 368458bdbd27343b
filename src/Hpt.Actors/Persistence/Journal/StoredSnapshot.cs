using System.Collections.Immutable;
using Hpt.Actors.Coordinator;

namespace Hpt.Actors.Persistence.Journal;

/// <summary>
/// <c>hpt.coordinator-snapshot.v3</c>: the coordinator's state and the states a rollback may return to (the retained
/// checkpoints'), so the journal before the snapshot can be deleted. v3 stores the policy version of each state once
/// (v2 stored it as Step beside PolicyVersion: <see cref="StoredSnapshotV2"/>); v2 added what v1 lost: the failed
/// generations per prompt (hpt.pipeline.max-attempts) and the prompts set aside.
/// </summary>
public sealed record StoredSnapshot(StoredState Current, StoredState[] History, long[] Anchors)
{
    public static StoredSnapshot From(CoordinatorSnapshot s) =>
        new(StoredState.From(s.Current), s.History.Select(StoredState.From).ToArray(), s.Anchors.ToArray());

    public CoordinatorSnapshot ToSnapshot() => new(Current.ToState(), (History ?? []).Select(h => h.ToState()).ToArray(), Anchors ?? []);
}

/// <summary>
/// One <see cref="CoordinatorState"/> as stored: trained seqs as sorted half-open ranges (compact, exact), maps as
/// sorted pairs. <see cref="PolicyVersion"/> is the number of recorded steps (the key of the rollback history).
/// </summary>
public sealed record StoredState(
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
    public static StoredState From(CoordinatorState s) => new(
        s.PolicyVersion, s.NextSeq, s.Accepted,
        s.InFlight.Select(kv => new SeqAttempt(kv.Key, kv.Value)).ToArray(),
        s.Returned.Select(kv => new SeqAttempt(kv.Key, kv.Value)).ToArray(),
        SeqRange.Compress(s.Trained),
        s.Scored.Values.Select(StoredGroup.From).ToArray(),
        s.ScoredOrder.Select(kv => new SeqOrder(kv.Key, kv.Value)).ToArray(),
        s.ScoredTotal,
        s.ReturnedTotal,
        s.Failures.Select(kv => new SeqCount(kv.Key, kv.Value)).ToArray(),
        s.SetAside.ToArray(),
        // Sorted: the snapshot's bytes must not depend on the order a dictionary happens to enumerate in.
        s.GateState is null ? null : new SortedDictionary<string, double>(s.GateState.ToDictionary(), StringComparer.Ordinal));

    public CoordinatorState ToState() => new()
    {
        PolicyVersion = PolicyVersion,
        NextSeq = NextSeq,
        Accepted = Accepted,
        InFlight = (InFlight ?? []).ToImmutableSortedDictionary(a => a.Seq, a => a.Attempt),
        Returned = (Returned ?? []).ToImmutableSortedDictionary(a => a.Seq, a => a.Attempt),
        Trained = SeqRange.Expand(Trained ?? []).ToImmutableHashSet(),
        Scored = (Scored ?? []).Select(g => g.ToEvent()).ToImmutableSortedDictionary(g => g.Seq, g => g),
        ScoredOrder = (ScoredOrder ?? []).ToImmutableSortedDictionary(o => o.Seq, o => o.Position),
        ScoredTotal = ScoredTotal,
        ReturnedTotal = ReturnedTotal,
        Failures = (Failures ?? []).ToImmutableSortedDictionary(f => f.Seq, f => f.Count),
        SetAside = (SetAside ?? []).ToImmutableSortedSet(),
        GateState = GateState,
    };
}

public sealed record SeqAttempt(long Seq, int Attempt);

public sealed record SeqOrder(long Seq, long Position);

public sealed record SeqCount(long Seq, int Count);

/// <summary>Seqs <see cref="Start"/> (inclusive) to <see cref="End"/> (exclusive).</summary>
public sealed record SeqRange(long Start, long End)
{
    public static SeqRange[] Compress(IEnumerable<long> seqs)
    {
        var ranges = new List<SeqRange>();
        long start = -1, end = -1;
        foreach (var seq in seqs.Order())
        {
            if (seq == end)
            {
                end++;
                continue;
            }
            if (end > start) ranges.Add(new SeqRange(start, end));
            start = seq;
            end = seq + 1;
        }
        if (end > start) ranges.Add(new SeqRange(start, end));
        return [.. ranges];
    }

    public static IEnumerable<long> Expand(IEnumerable<SeqRange> ranges)
    {
        foreach (var r in ranges)
        {
            if (r.End <= r.Start) throw new InvalidOperationException($"stored seq range [{r.Start}, {r.End}) is empty or reversed");
            for (var s = r.Start; s < r.End; s++) yield return s;
        }
    }
}
