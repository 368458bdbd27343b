namespace Hpt.Actors.Coordinator;

/// <summary>
/// The coordinator's state after recorded steps, so that a <see cref="RolledBack"/> event can restore the state of
/// an earlier step. A rollback only ever returns to a checkpoint's step, so once <see cref="CheckpointCovered"/>
/// events mark <c>keep</c> of them (the checkpoint store keeps as many), older states are dropped: the history, and
/// with it every snapshot, stays bounded however long the run is. Verified groups are not kept (a rollback discards
/// them), so old token payloads are never held in memory.
/// <para>
/// This is the one implementation of the journal's effective history (the rollback rule: a <see cref="RolledBack"/>
/// to step s undoes every step recorded after s). The coordinator recovers through it, and
/// <see cref="Persistence.JournalReader"/> reads a journal's effective steps (<see cref="Steps"/>) through it.
/// </para>
/// </summary>
public sealed class CoordinatorHistory(int keepAnchors = 3)
{
    private readonly SortedDictionary<long, CoordinatorState> _afterStep = new() { [0] = CoordinatorState.Initial };
    private readonly SortedSet<long> _anchors = [];
    private readonly SortedDictionary<long, StepRecorded> _recorded = new();

    /// <summary>The retained states by step (step 0, the run's start, is always there).</summary>
    public IReadOnlyDictionary<long, CoordinatorState> States => _afterStep;

    /// <summary>Steps that have a checkpoint, newest <c>keepAnchors</c>.</summary>
    public IReadOnlyCollection<long> Anchors => _anchors;

    /// <summary>
    /// The recorded steps that stand after every rollback, in step order: those replayed as events (a snapshot holds
    /// states, not the events before it), and not older than the oldest retained checkpoint.
    /// </summary>
    public IReadOnlyList<StepRecorded> Steps => _recorded.Values.ToArray();

    public CoordinatorState Apply(CoordinatorState state, ICoordinatorEvent evt)
    {
        switch (evt)
        {
            case RolledBack back:
            {
                if (!_afterStep.TryGetValue(back.ToStep, out var earlier))
                    throw new InvalidOperationException($"the journal has no state for step {back.ToStep} to roll back to " +
                                                        $"(it holds steps {string.Join(", ", _afterStep.Keys)})");
                ForgetAfter(back.ToStep);
                // Nothing issued before the rollback is running any more, and no verified group may be trained by a
                // policy it was not sampled from: everything in flight at step ToStep is issued again.
                var reset = earlier with { Scored = earlier.Scored.Clear(), ScoredOrder = earlier.ScoredOrder.Clear() };
                return reset.ReturnAllInFlight();
            }
            case CheckpointCovered covered:
                if (_afterStep.ContainsKey(covered.Step))
                {
                    _anchors.Add(covered.Step);
                    Prune();
                }
                return state;
        }
        var next = state.Apply(evt);
        if (evt is StepRecorded recorded)
        {
            _afterStep[recorded.PolicyVersion] = next with { Scored = next.Scored.Clear(), ScoredOrder = next.ScoredOrder.Clear() };
            _recorded[recorded.PolicyVersion] = recorded;
        }
        return next;
    }

    /// <summary>The rollback rule: every step recorded after <paramref name="step"/> never happened.</summary>
    private void ForgetAfter(long step)
    {
        foreach (var later in _afterStep.Keys.Where(k => k > step).ToArray()) _afterStep.Remove(later);
        foreach (var later in _recorded.Keys.Where(k => k > step).ToArray()) _recorded.Remove(later);
        _anchors.RemoveWhere(a => a > step);
    }

    /// <summary>Replaces the history with a snapshot's.</summary>
    public void Restore(IEnumerable<CoordinatorState> states, IEnumerable<long> anchors)
    {
        _afterStep.Clear();
        _afterStep[0] = CoordinatorState.Initial;
        foreach (var s in states) _afterStep[s.PolicyVersion] = s with { Scored = s.Scored.Clear(), ScoredOrder = s.ScoredOrder.Clear() };
        _anchors.Clear();
        foreach (var a in anchors.Where(_afterStep.ContainsKey)) _anchors.Add(a);
        _recorded.Clear();
    }

    private void Prune()
    {
        while (_anchors.Count > Math.Max(1, keepAnchors)) _anchors.Remove(_anchors.Min);
        if (_anchors.Count < Math.Max(1, keepAnchors)) return; // the oldest checkpoint kept on disk may still be older
        var oldest = _anchors.Min;
        foreach (var step in _afterStep.Keys.Where(k => k > 0 && k < oldest && !_anchors.Contains(k)).ToArray()) _afterStep.Remove(step);
        foreach (var step in _recorded.Keys.Where(k => k < oldest).ToArray()) _recorded.Remove(step);
    }
}
