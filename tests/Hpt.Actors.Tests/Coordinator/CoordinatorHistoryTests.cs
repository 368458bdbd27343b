using Hpt.Actors.Coordinator;
using Hpt.Actors.Persistence;
using Hpt.Actors.Tests.Doubles;

namespace Hpt.Actors.Tests.Coordinator;

/// <summary>The one effective history: the coordinator's recovery and the journal reader apply rollbacks by the same rule.</summary>
public sealed class CoordinatorHistoryTests
{
    private static StepRecorded Step(long step, params long[] seqs) => new(step, seqs, Fixtures.Metrics(step));

    private static ICoordinatorEvent[] Issue(params long[] seqs) => seqs.Select(s => (ICoordinatorEvent)new PromptIssued(s, 1)).ToArray();

    [Fact]
    public void Effective_steps_drop_the_steps_a_rollback_undid_and_keep_the_retrained_ones()
    {
        ICoordinatorEvent[] journal =
        [
            .. Issue(0, 1, 2, 3, 4, 5), Step(1, 0, 1), new CheckpointCovered(1), Step(2, 2, 3), Step(3, 4, 5),
            new RolledBack(1, 3),
            .. Issue(2, 3), Step(2, 3, 2),
        ];
        var steps = JournalReader.EffectiveSteps(journal);
        Assert.Equal([1L, 2L], steps.Select(s => s.PolicyVersion));
        Assert.Equal([3L, 2L], steps[1].Seqs); // the step trained again, not the one the rollback undid

        // The coordinator's state after the same events agrees: steps 2 and 3's first training never happened.
        var history = new CoordinatorHistory(keepAnchors: 3);
        var state = journal.Aggregate(CoordinatorState.Initial, history.Apply);
        Assert.Equal([0L, 1L, 2L, 3L], state.Trained.Order());
        Assert.Equal(steps.Select(s => s.PolicyVersion), history.Steps.Select(s => s.PolicyVersion));
    }

    [Fact]
    public void Bounded_history_forgets_steps_older_than_its_oldest_retained_checkpoint()
    {
        var history = new CoordinatorHistory(keepAnchors: 2);
        var state = CoordinatorState.Initial;
        for (var step = 1; step <= 6; step++)
        {
            state = history.Apply(state, new PromptIssued(step, 1));
            state = history.Apply(state, Step(step, step));
            if (step % 2 == 0) state = history.Apply(state, new CheckpointCovered(step));
        }
        Assert.Equal([4L, 6L], history.Anchors.Order());
        Assert.Equal([4L, 5L, 6L], history.Steps.Select(s => s.PolicyVersion));
        Assert.Equal([0L, 4L, 5L, 6L], history.States.Keys);
    }
}
