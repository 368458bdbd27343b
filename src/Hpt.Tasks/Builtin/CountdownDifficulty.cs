namespace Hpt.Tasks.Builtin;

/// <summary>
/// The difficulty knob of <see cref="CountdownTask"/>: how many numbers (drawn uniformly per problem), how large
/// they are and how large the target may be. Two numbers are nearly always solved; four or five rarely are.
/// </summary>
public sealed record CountdownDifficulty(int MinNumbers, int MaxNumbers, int MaxValue, int MaxTarget)
{
    public static CountdownDifficulty Easy { get; } = new(2, 3, 9, 50);

    /// <summary>2-4 numbers up to 12, targets up to 100: the gate's regime.</summary>
    public static CountdownDifficulty Mixed { get; } = new(2, 4, 12, 100);

    public static CountdownDifficulty Hard { get; } = new(4, 5, 25, 500);

    public static CountdownDifficulty ByName(string name) => name.ToLowerInvariant() switch
    {
        "easy" => Easy,
        "mixed" => Mixed,
        "hard" => Hard,
        _ => throw new ArgumentException($"unknown countdown difficulty '{name}' (easy, mixed, hard)"),
    };
}
