namespace Hpt.Tasks.Builtin;

/// <summary>
/// The difficulty knob of <see cref="ArithmeticTask"/>: operand digit counts and operand counts are drawn uniformly
/// from these ranges per problem, so one set mixes prompts a small model always, sometimes and never solves.
/// </summary>
public sealed record ArithmeticDifficulty(int MinDigits, int MaxDigits, int MinOperands, int MaxOperands, double MultiplyShare)
{
    /// <summary>1-2 digit sums of two numbers.</summary>
    public static ArithmeticDifficulty Easy { get; } = new(1, 2, 2, 2, 0.0);

    /// <summary>1-4 digits, 2-3 operands, a quarter products by one digit: the mix the HPT gate is for.</summary>
    public static ArithmeticDifficulty Mixed { get; } = new(1, 4, 2, 3, 0.25);

    /// <summary>3-6 digits, 2-4 operands, a third products.</summary>
    public static ArithmeticDifficulty Hard { get; } = new(3, 6, 2, 4, 0.33);

    public static ArithmeticDifficulty ByName(string name) => name.ToLowerInvariant() switch
    {
        "easy" => Easy,
        "mixed" => Mixed,
        "hard" => Hard,
        _ => throw new ArgumentException($"unknown arithmetic difficulty '{name}' (easy, mixed, hard)"),
    };
}
