using Hpt.Tasks;
using Hpt.Tasks.Builtin;

namespace Hpt.Cli.Repro;

/// <summary>
/// The problem sets of the reproduction regime, fixed by an evaluation seed (not the run's seed) so every run of
/// every seed is scored on the same problems and differences can be paired per problem: validation (from the
/// training side; learning rates are chosen on it), id (held out, the training levels) and ood (held out, one level
/// above them).
/// </summary>
public static class ReproSplit
{
    public static IReadOnlyList<string> Names { get; } = ["validation", "id", "ood"];

    public static IReadOnlyList<Problem> Problems(LadderTask task, string split, int count, int seed) => split switch
    {
        "validation" => task.Generate(count, seed, TaskSplit.Validation),
        "id" => task.Generate(count, seed, TaskSplit.HeldOut),
        "ood" => task.GenerateOutOfDistribution(count, seed),
        _ => throw new ArgumentException($"--split '{split}': one of {string.Join(", ", Names)}"),
    };

    /// <summary>The run's task (hpt.task.name and difficulty), which must be a ladder task.</summary>
    public static LadderTask TaskOf(Hpt.Actors.Settings.TaskSettings settings) =>
        BuiltinTasks.Create(settings.Name, settings.Difficulty) as LadderTask
        ?? throw new ArgumentException($"hpt.task.name: the reproduction regime needs a ladder task " +
                                       $"(arithmetic-ladder, countdown-ladder), not '{settings.Name}'");
}
