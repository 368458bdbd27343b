using System.Collections.Immutable;

namespace Hpt.Actors.Coordinator;

/// <summary>
/// The coordinator's durable bookkeeping, as an immutable value changed only by <see cref="Apply"/>. Everything a
/// resume needs is here; runtime details (which worker holds what) are not, because workers do not survive a crash.
/// </summary>
public sealed record CoordinatorState
{
    /// <summary>
    /// The policy version of the last recorded step, which is also the number of steps recorded (step n trains version
    /// n): the key of the rollback history and of checkpoints, and the version admission control counts staleness from.
    /// </summary>
    public long PolicyVersion { get; init; }

    /// <summary>Next never-issued prompt seq (the data-order cursor).</summary>
    public long NextSeq { get; init; }
    /// <summary>Prompts accepted into the pipeline and not returned: the admission-control count.</summary>
    public long Accepted { get; init; }
    /// <summary>Issued prompts not yet trained: seq to its current attempt.</summary>
    public ImmutableSortedDictionary<long, int> InFlight { get; init; } = ImmutableSortedDictionary<long, int>.Empty;
    /// <summary>Returned prompts waiting to be issued again (before any fresh prompt), with their last attempt.</summary>
    public ImmutableSortedDictionary<long, int> Returned { get; init; } = ImmutableSortedDictionary<long, int>.Empty;
    public ImmutableHashSet<long> Trained { get; init; } = ImmutableHashSet<long>.Empty;
    /// <summary>In-flight prompts whose verified group is journaled but not yet trained.</summary>
    public ImmutableSortedDictionary<long, GroupScored> Scored { get; init; } = ImmutableSortedDictionary<long, GroupScored>.Empty;
    /// <summary>Journal position of each <see cref="Scored"/> group (the order the gate saw them in).</summary>
    public ImmutableSortedDictionary<long, long> ScoredOrder { get; init; } = ImmutableSortedDictionary<long, long>.Empty;
    public long ScoredTotal { get; init; }
    /// <summary>The gate policy's state after the last recorded step's last decision (null: a fresh gate).</summary>
    public IReadOnlyDictionary<string, double>? GateState { get; init; }
    public int ReturnedTotal { get; init; }
    /// <summary>Failed generations per prompt not yet trained or set aside (hpt.pipeline.max-attempts counts these).</summary>
    public ImmutableSortedDictionary<long, int> Failures { get; init; } = ImmutableSortedDictionary<long, int>.Empty;
    /// <summary>Prompts never to be issued again; fresh prompts of the data order take their places.</summary>
    public ImmutableSortedSet<long> SetAside { get; init; } = ImmutableSortedSet<long>.Empty;

    /// <summary>Failed generations of <paramref name="seq"/> so far.</summary>
    public int FailuresOf(long seq) => Failures.GetValueOrDefault(seq);

    public static CoordinatorState Initial { get; } = new();

    public CoordinatorState Apply(ICoordinatorEvent evt) => evt switch
    {
        PromptIssued e => this with
        {
            NextSeq = Math.Max(NextSeq, e.Seq + 1),
            // Re-issued after a crash without a journaled return (recovery returns in-flight work in memory only).
            Accepted = InFlight.ContainsKey(e.Seq) ? Accepted : Accepted + 1,
            InFlight = InFlight.SetItem(e.Seq, e.Attempt),
            Returned = Returned.Remove(e.Seq),
        },
        GroupScored e when InFlight.TryGetValue(e.Seq, out var current) && current == e.Attempt => this with
        {
            Scored = Scored.SetItem(e.Seq, e),
            ScoredOrder = ScoredOrder.SetItem(e.Seq, ScoredTotal),
            ScoredTotal = ScoredTotal + 1,
        },
        GroupScored => this, // a verdict for an attempt that is no longer current
        PromptReturned e when InFlight.TryGetValue(e.Seq, out var attempt) && attempt == e.Attempt => this with
        {
            Accepted = Accepted - 1,
            InFlight = InFlight.Remove(e.Seq),
            Scored = Scored.Remove(e.Seq),
            ScoredOrder = ScoredOrder.Remove(e.Seq),
            Returned = Returned.SetItem(e.Seq, e.Attempt),
            ReturnedTotal = ReturnedTotal + 1,
            Failures = e.Failed ? Failures.SetItem(e.Seq, FailuresOf(e.Seq) + 1) : Failures,
        },
        PromptReturned => this, // about an attempt that is no longer current: nothing to undo
        PromptSetAside e when InFlight.TryGetValue(e.Seq, out var attempt) && attempt == e.Attempt => this with
        {
            Accepted = Accepted - 1,
            InFlight = InFlight.Remove(e.Seq),
            Scored = Scored.Remove(e.Seq),
            Returned = Returned.Remove(e.Seq),
            Failures = Failures.Remove(e.Seq),
            SetAside = SetAside.Add(e.Seq),
        },
        PromptSetAside => this,
        RolledBack => throw new ArgumentException("RolledBack needs the run's history; apply it with CoordinatorHistory"),
        CheckpointCovered => this, // only the history keeps it
        StepRecorded e => this with
        {
            PolicyVersion = e.PolicyVersion,
            InFlight = InFlight.RemoveRange(e.Seqs),
            Returned = Returned.RemoveRange(e.Seqs),
            Scored = Scored.RemoveRange(e.Seqs),
            ScoredOrder = ScoredOrder.RemoveRange(e.Seqs),
            Trained = Trained.Union(e.Seqs),
            Failures = Failures.RemoveRange(e.Seqs),
            GateState = e.GateState ?? GateState,
        },
        _ => throw new ArgumentException($"unknown coordinator event {evt.GetType().Name}", nameof(evt)),
    };

    /// <summary>
    /// After a crash nothing is running any more: every in-flight prompt waits to be issued again, except those whose
    /// verified group is journaled (they go straight back to the gate).
    /// </summary>
    public CoordinatorState ReturnAllInFlight()
    {
        var state = this;
        foreach (var (seq, attempt) in InFlight)
            if (!Scored.ContainsKey(seq))
                state = state.Apply(new PromptReturned(seq, attempt, "resumed"));
        return state;
    }

    /// <summary>The next prompt to issue and its attempt number, or null when every prompt of the run is issued.</summary>
    public (long Seq, int Attempt)? NextToIssue(long totalPrompts)
    {
        if (!Returned.IsEmpty)
        {
            var first = Returned.First();
            return (first.Key, first.Value + 1);
        }
        // Every set-aside prompt is replaced by one more of the data order, so each step still gets its B prompts.
        return NextSeq < totalPrompts + SetAside.Count ? (NextSeq, 1) : null;
    }
}
