namespace Hpt.Tasks.Builtin;

/// <summary>The built-in tasks by name, for configuration files and the command line.</summary>
public static class BuiltinTasks
{
    public static IReadOnlyList<string> Names { get; } = ["arithmetic", "countdown"];

    /// <summary>A task by name ("arithmetic", "countdown") at a difficulty ("easy", "mixed", "hard").</summary>
    public static IVerifiableTask Create(string name, string difficulty = "mixed") => name.ToLowerInvariant() switch
    {
        "arithmetic" => new ArithmeticTask(ArithmeticDifficulty.ByName(difficulty)),
        "countdown" => new CountdownTask(CountdownDifficulty.ByName(difficulty)),
        _ => throw new ArgumentException($"unknown task '{name}'; known: {string.Join(", ", Names)}"),
    };
}
