using Hpt.Actors.Coordinator;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Tests.Persistence.StoredFormats;

/// <summary>
/// One value of every stored record, with the awkward cases a format must keep exactly (NaN and infinite numbers, a
/// null demonstration, a null and a present gate state, empty arrays). The golden files next to this one are these
/// values' bytes.
/// </summary>
public static class StoredFormatSamples
{
    public static GroupScored Scored(long seq, int attempt) =>
        new(seq, attempt, new Hpt.Tasks.Problem($"p{seq}", $"{seq}+{seq}=", $"{2 * seq}", seq % 2 == 0 ? null : "demo"), new GroupVerified(
            new RolloutsGenerated(new PromptWork(seq, 1, $"p{seq}", $"{seq}+{seq}="), attempt, 3, "worker-a",
                [JournalScenario.Rollout(seq, 3), new Hpt.Training.Engines.Rollout("", [7], [], [], [], Truncated: true)], 1.25)
            {
                IdleSeconds = 0.5,
            }, [1.0, double.NaN], 0.25, 1));

    public static StepRecorded Step(long step, bool withGate) =>
        new(step, [2 * step, 2 * step + 1], JournalScenario.Metrics(step) with { SetAsidePrompts = 1 })
        {
            GateState = withGate ? JournalScenario.GateState(step) : null,
        };

    /// <summary>Every event kind, under a name for its golden file.</summary>
    public static IReadOnlyList<(string Name, ICoordinatorEvent Event)> Events { get; } =
    [
        ("prompt-issued", new PromptIssued(12, 2)),
        ("prompt-returned", new PromptReturned(12, 2, "worker w-1 failed: \"out of memory\"", Failed: true)),
        ("prompt-set-aside", new PromptSetAside(13, 5, "prompt 13 (problem 'p6') failed 5 times")),
        ("step-recorded", Step(4, withGate: true)),
        ("step-recorded-without-gate", Step(5, withGate: false)),
        ("rolled-back", new RolledBack(3, 5)),
        ("group-scored", Scored(9, 2)),
        ("checkpoint-covered", new CheckpointCovered(4)),
    ];

    /// <summary>A snapshot whose state has every field set: trained ranges, in flight, returned, scored, failures, set aside, gate.</summary>
    public static CoordinatorSnapshot Snapshot()
    {
        var history = new CoordinatorHistory(keepAnchors: 2);
        var state = CoordinatorState.Initial;
        void Apply(ICoordinatorEvent e) => state = history.Apply(state, e);
        for (var seq = 0; seq < 8; seq++) Apply(new PromptIssued(seq, 1));
        Apply(Step(1, withGate: true) with { Seqs = [0, 1] });
        Apply(new CheckpointCovered(1));
        Apply(Step(2, withGate: true) with { Seqs = [2, 4] });
        Apply(new CheckpointCovered(2));
        Apply(new PromptReturned(3, 1, "worker died", Failed: true));
        Apply(new PromptReturned(5, 1, "too stale"));
        Apply(new PromptIssued(5, 2));
        Apply(new PromptReturned(6, 1, "worker died", Failed: true));
        Apply(new PromptIssued(6, 2));
        Apply(new PromptSetAside(6, 2, "failed twice"));
        Apply(Scored(7, 1));
        Apply(Scored(5, 2));
        return CoordinatorSnapshot.Of(state, history);
    }
}
