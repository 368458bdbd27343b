using System.Globalization;

namespace Hpt.Tasks.Builtin;

/// <summary>
/// A task family with one integer difficulty knob, the level, for the reproduction regime (docs/results.md): the
/// base model is warmed up on the low levels only, trained on a range that goes higher (so, as in the paper, it
/// already solves part of the training set and the demonstrations of the higher levels are longer and harder than
/// anything it produces), and evaluated on the range (in distribution) and on the level one step above it (out of
/// distribution). Two families: arithmetic (level L = two L-digit operands; a quarter of the problems an L-digit
/// number times one digit, so L+1 scratchpad lines) and countdown (level L = L+1 numbers up to 12, target up to 200).
/// A set over several levels holds them in equal shares, interleaved; every problem's id names its level.
/// Train, validation and held-out never share a prompt (<see cref="SplitAssignment.WithValidation"/>).
/// </summary>
public sealed class LadderTask : IVerifiableTask
{
    private readonly Func<int, IVerifiableTask> _atLevel;

    private LadderTask(string family, LevelRange levels, Func<int, IVerifiableTask> atLevel)
    {
        Family = family;
        Levels = levels;
        _atLevel = atLevel;
    }

    public static IReadOnlyList<string> Families { get; } = ["arithmetic", "countdown"];

    /// <summary>"arithmetic" or "countdown".</summary>
    public string Family { get; }

    public LevelRange Levels { get; }

    public string Name => $"{Family}-ladder";

    public static LadderTask Create(string family, LevelRange levels) => family.ToLowerInvariant() switch
    {
        "arithmetic" => new LadderTask("arithmetic", levels, level => new ArithmeticTask(new ArithmeticDifficulty(level, level, 2, 2, 0.25))),
        "countdown" => new LadderTask("countdown", levels, level => new CountdownTask(new CountdownDifficulty(level + 1, level + 1, 12, 200))),
        _ => throw new ArgumentException($"unknown ladder family '{family}'; known: {string.Join(", ", Families)}"),
    };

    /// <summary>The same family over other levels (the base model's warm-up range, the out-of-distribution level).</summary>
    public LadderTask At(LevelRange levels) => Create(Family, levels);

    /// <summary>Problems of the level one step above <see cref="Levels"/>, from the held-out side of the partition.</summary>
    public IReadOnlyList<Problem> GenerateOutOfDistribution(int count, int seed)
    {
        if (Levels.NextLevel > LevelRange.MaxLevel)
            throw new InvalidOperationException($"levels {Levels} have no level above them (at most {LevelRange.MaxLevel})");
        return At(new LevelRange(Levels.NextLevel, Levels.NextLevel)).Generate(count, seed, TaskSplit.HeldOut);
    }

    public IReadOnlyList<Problem> Generate(int count, int seed, TaskSplit split = TaskSplit.Train)
    {
        // Validation and train both come from the level task's training side; ask for enough that the filter leaves
        // `count` (validation keeps 1/8 of it, train 7/8).
        var (source, request) = split switch
        {
            TaskSplit.HeldOut => (TaskSplit.HeldOut, count),
            TaskSplit.Validation => (TaskSplit.Train, count * 10),
            _ => (TaskSplit.Train, count * 2),
        };
        var perLevel = Levels.Levels.Select(level => (Level: level, Problems: _atLevel(level)
                .Generate(request, seed * 7919 + level, source)
                .Where(p => SplitAssignment.WithValidation(p.Prompt) == split)
                .ToList()))
            .ToList();

        var problems = new List<Problem>(count);
        for (var round = 0; problems.Count < count && perLevel.Any(l => l.Problems.Count > round); round++)
        {
            foreach (var (level, list) in perLevel)
            {
                if (problems.Count == count) break;
                if (round >= list.Count) continue;
                var p = list[round];
                problems.Add(p with { Id = $"{Name}-L{level}-{split.ToString().ToLowerInvariant()}-{seed}-{problems.Count}" });
            }
        }
        return problems;
    }

    /// <summary>The level a ladder problem was drawn at (from its id), or null for another task's problem.</summary>
    public static int? LevelOf(Problem problem)
    {
        var at = problem.Id.IndexOf("-ladder-L", StringComparison.Ordinal);
        if (at < 0) return null;
        var start = at + "-ladder-L".Length;
        var end = problem.Id.IndexOf('-', start);
        return end > start && int.TryParse(problem.Id.AsSpan(start, end - start), NumberStyles.None, CultureInfo.InvariantCulture, out var level)
            ? level
            : null;
    }

    /// <summary>The family's own checker: it does not depend on the level.</summary>
    public double Reward(Problem problem, string? response) => _atLevel(Levels.From).Reward(problem, response);
}
