namespace Hpt.Tasks.Builtin;

/// <summary>The built-in tasks by name, for configuration files and the command line.</summary>
public static class BuiltinTasks
{
    public static IReadOnlyList<string> Names { get; } = ["arithmetic", "countdown", "arithmetic-ladder", "countdown-ladder"];

    /// <summary>
    /// A task by name at a difficulty: "easy", "mixed", "hard" for every task; the ladder tasks also take levels
    /// ("1-4", "3"; <see cref="LevelRange"/>).
    /// </summary>
    public static IVerifiableTask Create(string name, string difficulty = "mixed") => name.ToLowerInvariant() switch
    {
        "arithmetic" => new ArithmeticTask(ArithmeticDifficulty.ByName(difficulty)),
        "countdown" => new CountdownTask(CountdownDifficulty.ByName(difficulty)),
        "arithmetic-ladder" => LadderTask.Create("arithmetic", LevelRange.Parse(difficulty)),
        "countdown-ladder" => LadderTask.Create("countdown", LevelRange.Parse(difficulty)),
        _ => throw new ArgumentException($"unknown task '{name}'; known: {string.Join(", ", Names)}"),
    };
}
