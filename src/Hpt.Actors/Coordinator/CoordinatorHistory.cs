namespace Hpt.Actors.Coordinator;

/// <summary>
/// The coordinator's state after every recorded step, so that a <see cref="RolledBack"/> event can restore the
/// state of an earlier step. Immutable collections share structure, so keeping every step is cheap.
/// </summary>
public sealed class CoordinatorHistory
{
    private readonly SortedDictionary<long, CoordinatorState> _afterStep = new() { [0] = CoordinatorState.Initial };

    public CoordinatorState Apply(CoordinatorState state, ICoordinatorEvent evt)
    {
        if (evt is RolledBack back)
        {
            if (!_afterStep.TryGetValue(back.ToStep, out var earlier))
                throw new InvalidOperationException($"the journal has no state for step {back.ToStep} to roll back to");
            foreach (var later in _afterStep.Keys.Where(k => k > back.ToStep).ToArray()) _afterStep.Remove(later);
            // Nothing issued before the rollback is running any more, and no verified group may be trained by a
            // policy it was not sampled from: everything in flight at step ToStep is issued again.
            var reset = earlier with { Scored = earlier.Scored.Clear(), ScoredOrder = earlier.ScoredOrder.Clear() };
            return reset.ReturnAllInFlight();
        }
        var next = state.Apply(evt);
        if (evt is StepRecorded recorded) _afterStep[recorded.Step] = next;
        return next;
    }
}
