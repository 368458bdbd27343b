using System.Collections.Immutable;

namespace Hpt.Actors.Coordinator;

/// <summary>
/// The coordinator's state as a stored format (snapshot store, manifest <c>hpt.coordinator-snapshot.v1</c>): the
/// current state and the states after the steps a rollback may return to (the retained checkpoints'), so the journal
/// before the snapshot can be deleted. Plain arrays, no CLR type names: renaming a class never breaks a resume.
/// </summary>
public sealed record CoordinatorSnapshot(int Format, SnapshotState Current, SnapshotState[] History, long[] Anchors)
{
    public const int CurrentFormat = 1;

    public static CoordinatorSnapshot Of(CoordinatorState current, CoordinatorHistory history) =>
        new(CurrentFormat, SnapshotState.Of(current),
            history.States.Select(kv => SnapshotState.Of(kv.Value)).ToArray(), history.Anchors.ToArray());

    /// <summary>Restores the state and fills <paramref name="history"/> with the rollback targets.</summary>
    public CoordinatorState Restore(CoordinatorHistory history)
    {
        if (Format > CurrentFormat)
            throw new InvalidOperationException(
                $"the coordinator snapshot has format {Format}, newer than this build's {CurrentFormat}: use the hpt version that wrote it");
        history.Restore(History.Select(s => s.ToState()), Anchors);
        return Current.ToState();
    }
}

/// <summary>One <see cref="CoordinatorState"/> as stored: trained seqs as sorted half-open ranges (compact, exact).</summary>
public sealed record SnapshotState(
    long Step,
    long PolicyVersion,
    long NextSeq,
    long Accepted,
    SeqAttempt[] InFlight,
    SeqAttempt[] Returned,
    SeqRange[] Trained,
    GroupScored[] Scored,
    int ReturnedTotal)
{
    /// <summary>Journal position of each scored group (the order the gate saw them in), and the running count.</summary>
    public SeqOrder[] ScoredOrder { get; init; } = [];
    public long ScoredTotal { get; init; }
    /// <summary>The gate policy's state after the last recorded step (null: a fresh gate).</summary>
    public IReadOnlyDictionary<string, double>? GateState { get; init; }

    public static SnapshotState Of(CoordinatorState s) => new(
        s.Step, s.PolicyVersion, s.NextSeq, s.Accepted,
        s.InFlight.Select(kv => new SeqAttempt(kv.Key, kv.Value)).ToArray(),
        s.Returned.Select(kv => new SeqAttempt(kv.Key, kv.Value)).ToArray(),
        SeqRange.Compress(s.Trained),
        s.Scored.Values.ToArray(),
        s.ReturnedTotal)
    {
        ScoredOrder = s.ScoredOrder.Select(kv => new SeqOrder(kv.Key, kv.Value)).ToArray(),
        ScoredTotal = s.ScoredTotal,
        GateState = s.GateState is null ? null : new SortedDictionary<string, double>(s.GateState.ToDictionary(), StringComparer.Ordinal),
    };

    public CoordinatorState ToState() => new()
    {
        Step = Step,
        PolicyVersion = PolicyVersion,
        NextSeq = NextSeq,
        Accepted = Accepted,
        InFlight = InFlight.ToImmutableSortedDictionary(a => a.Seq, a => a.Attempt),
        Returned = Returned.ToImmutableSortedDictionary(a => a.Seq, a => a.Attempt),
        Trained = SeqRange.Expand(Trained).ToImmutableHashSet(),
        Scored = Scored.ToImmutableSortedDictionary(g => g.Seq, g => g),
        ReturnedTotal = ReturnedTotal,
        ScoredOrder = ScoredOrder.ToImmutableSortedDictionary(o => o.Seq, o => o.Position),
        ScoredTotal = ScoredTotal,
        GateState = GateState,
    };
}

public sealed record SeqOrder(long Seq, long Position);

public sealed record SeqAttempt(long Seq, int Attempt);

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
