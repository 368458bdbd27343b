using System.Numerics;
using System.Text;

namespace Hpt.Tasks.Builtin;

/// <summary>
/// Multi-digit arithmetic with a column scratchpad. Sums of several numbers ("457+68+9=") are worked column by
/// column from the ones, each line "digits + carry = column total"; products by one digit ("457*6=") likewise.
/// The last line is "ans N". Example: prompt "457+68=", demonstration "7+8=15\n5+6+1=12\n4+1=5\nans 525".
/// </summary>
public sealed class ArithmeticTask : IVerifiableTask
{
    private const int MaxDrawsPerProblem = 200;

    public ArithmeticTask(ArithmeticDifficulty? difficulty = null) => Difficulty = difficulty ?? ArithmeticDifficulty.Mixed;

    public ArithmeticDifficulty Difficulty { get; }

    public string Name => "arithmetic";

    public IReadOnlyList<Problem> Generate(int count, int seed, TaskSplit split = TaskSplit.Train)
    {
        if (split == TaskSplit.Validation)
            throw new ArgumentException("the arithmetic task has no validation split (its arithmetic-ladder form has one)", nameof(split));
        var random = new Random(seed);
        var seen = new HashSet<string>();
        var problems = new List<Problem>(count);
        for (var draws = 0; problems.Count < count && draws < count * MaxDrawsPerProblem; draws++)
        {
            var (prompt, answer, demonstration) = Draw(random);
            if (SplitAssignment.Of(prompt) != split || !seen.Add(prompt)) continue;
            problems.Add(new Problem($"arithmetic-{split.ToString().ToLowerInvariant()}-{seed}-{problems.Count}", prompt, answer, demonstration));
        }
        return problems;
    }

    private (string Prompt, string Answer, string Demonstration) Draw(Random random)
    {
        var d = Difficulty;
        if (random.NextDouble() < d.MultiplyShare)
        {
            var a = RandomNumber(random, random.Next(d.MinDigits, d.MaxDigits + 1));
            var b = random.Next(2, 10);
            return ($"{a}*{b}=", (a * b).ToString(), MultiplyScratchpad(a, b));
        }
        var operands = Enumerable.Range(0, random.Next(d.MinOperands, d.MaxOperands + 1))
            .Select(_ => RandomNumber(random, random.Next(d.MinDigits, d.MaxDigits + 1))).ToList();
        return (string.Join("+", operands) + "=", operands.Aggregate(BigInteger.Zero, (s, x) => s + x).ToString(), SumScratchpad(operands));
    }

    private static BigInteger RandomNumber(Random random, int digits)
    {
        var low = digits == 1 ? 0 : (long)Math.Pow(10, digits - 1);
        return random.NextInt64(low, (long)Math.Pow(10, digits));
    }

    /// <summary>One line per column from the ones: its digits (and the carry in) = the column total.</summary>
    public static string SumScratchpad(IReadOnlyList<BigInteger> operands)
    {
        var digits = operands.Select(o => o.ToString()).ToList();
        var columns = digits.Max(s => s.Length);
        var sb = new StringBuilder();
        var carry = 0;
        for (var col = 0; col < columns; col++)
        {
            var terms = digits.Where(s => s.Length > col).Select(s => s[s.Length - 1 - col] - '0').ToList();
            if (carry > 0) terms.Add(carry);
            var total = terms.Sum();
            sb.Append(string.Join("+", terms)).Append('=').Append(total).Append('\n');
            carry = total / 10;
        }
        sb.Append(FinalAnswerLine.Marker).Append(operands.Aggregate(BigInteger.Zero, (s, x) => s + x));
        return sb.ToString();
    }

    /// <summary>One line per digit of the multiplicand from the ones: digit * multiplier (+ carry) = total.</summary>
    public static string MultiplyScratchpad(BigInteger multiplicand, int multiplier)
    {
        var digits = multiplicand.ToString();
        var sb = new StringBuilder();
        var carry = 0;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var total = (digits[i] - '0') * multiplier + carry;
            sb.Append(digits[i]).Append('*').Append(multiplier);
            if (carry > 0) sb.Append('+').Append(carry);
            sb.Append('=').Append(total).Append('\n');
            carry = total / 10;
        }
        sb.Append(FinalAnswerLine.Marker).Append(multiplicand * multiplier);
        return sb.ToString();
    }

    public double Reward(Problem problem, string? response) => Score(problem.Answer, response);

    /// <summary>1 when the "ans" line is exactly the gold integer (no leading zeros or signs beyond the gold's own).</summary>
    public static double Score(string gold, string? response)
    {
        var answer = FinalAnswerLine.Find(response);
        if (answer is null || answer.Length > 64) return 0.0;
        if (!answer.All(c => char.IsAsciiDigit(c) || c == '-')) return 0.0;
        return answer == gold.Trim() ? 1.0 : 0.0;
    }
}
