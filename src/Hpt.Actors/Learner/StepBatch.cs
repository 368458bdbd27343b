using Hpt.Actors.Protocol;

namespace Hpt.Actors.Learner;

/// <summary>
/// The prompts of the step being filled, deduplicated by prompt seq against both this batch and every prompt
/// already trained. Drained in seq order so a step's arithmetic does not depend on arrival order (bitwise resume).
/// The trained set is owned by the caller, so it outlives a restart of the actor that uses it.
/// </summary>
public sealed class StepBatch(int promptsPerStep, ISet<long> trained)
{
    public enum AddOutcome { Added, Full, Duplicate }

    private readonly ISet<long> _trained = trained;
    private readonly SortedDictionary<long, TrainOnPrompt> _pending = new();
    private readonly List<long> _staleness = [];

    /// <summary>Staleness of every prompt of the last drained step.</summary>
    public IReadOnlyList<long> LastStaleness { get; private set; } = [];

    public int Count => _pending.Count;

    public AddOutcome Add(TrainOnPrompt item, long staleness)
    {
        var seq = item.Seq;
        if (_trained.Contains(seq) || _pending.ContainsKey(seq)) return AddOutcome.Duplicate;
        _pending.Add(seq, item);
        _staleness.Add(Math.Max(0, staleness));
        return _pending.Count >= promptsPerStep ? AddOutcome.Full : AddOutcome.Added;
    }

    /// <summary>Gives back every pending prompt without training it (the actor is restarting).</summary>
    public IReadOnlyList<TrainOnPrompt> ReturnPending()
    {
        var items = _pending.Values.ToArray();
        _pending.Clear();
        _staleness.Clear();
        return items;
    }

    /// <summary>Takes every pending prompt (in seq order) and marks them trained.</summary>
    public IReadOnlyList<TrainOnPrompt> Drain()
    {
        var items = _pending.Values.ToArray();
        foreach (var item in items) _trained.Add(item.Seq);
        _pending.Clear();
        LastStaleness = _staleness.ToArray();
        _staleness.Clear();
        return items;
    }
}
