using System.Text;
using Hpt.Tasks.Verification;

namespace Hpt.Tasks.Builtin;

/// <summary>
/// Countdown: combine the given numbers, each exactly once, with + - * / to reach the target. Every generated
/// problem is solvable (it is built from a random expression), and its demonstration shows that derivation one step
/// per line, then the whole expression: prompt "3 5 7 to 22", demonstration "5*3=15\n15+7=22\nans (5*3)+7".
/// The reward evaluates the "ans" expression exactly and checks it uses exactly the given numbers.
/// </summary>
public sealed class CountdownTask : IVerifiableTask
{
    private const int MaxDrawsPerProblem = 400;

    public CountdownTask(CountdownDifficulty? difficulty = null) => Difficulty = difficulty ?? CountdownDifficulty.Mixed;

    public CountdownDifficulty Difficulty { get; }

    public string Name => "countdown";

    public IReadOnlyList<Problem> Generate(int count, int seed, TaskSplit split = TaskSplit.Train)
    {
        if (split == TaskSplit.Validation)
            throw new ArgumentException("the countdown task has no validation split (its countdown-ladder form has one)", nameof(split));
        var random = new Random(seed);
        var seen = new HashSet<string>();
        var problems = new List<Problem>(count);
        for (var draws = 0; problems.Count < count && draws < count * MaxDrawsPerProblem; draws++)
        {
            if (Draw(random) is not { } p) continue;
            if (SplitAssignment.Of(p.Prompt) != split || !seen.Add(p.Prompt)) continue;
            problems.Add(new Problem($"countdown-{split.ToString().ToLowerInvariant()}-{seed}-{problems.Count}", p.Prompt, p.Target.ToString(), p.Demonstration));
        }
        return problems;
    }

    private sealed record Node(long Value, string Text, bool IsLeaf);

    private (string Prompt, long Target, string Demonstration)? Draw(Random random)
    {
        var d = Difficulty;
        var n = random.Next(d.MinNumbers, d.MaxNumbers + 1);
        var numbers = Enumerable.Range(0, n).Select(_ => (long)random.Next(1, d.MaxValue + 1)).ToList();
        var pool = numbers.Select(x => new Node(x, x.ToString(), true)).ToList();
        var steps = new StringBuilder();
        while (pool.Count > 1)
        {
            var i = random.Next(pool.Count);
            var a = pool[i];
            pool.RemoveAt(i);
            var j = random.Next(pool.Count);
            var b = pool[j];
            pool.RemoveAt(j);
            if (Combine(random, a, b) is not { } c) return null;
            steps.Append(c.Step).Append('\n');
            pool.Add(c.Node);
        }
        var target = pool[0].Value;
        if (target <= 0 || target > d.MaxTarget || numbers.Contains(target) && n > 1 && random.Next(4) > 0) return null;
        var expression = pool[0].Text.StartsWith('(') && pool[0].Text.EndsWith(')') && !pool[0].IsLeaf
            ? StripOuter(pool[0].Text)
            : pool[0].Text;
        var prompt = $"{string.Join(' ', numbers)} to {target}";
        steps.Append(FinalAnswerLine.Marker).Append(expression);
        return (prompt, target, steps.ToString());
    }

    /// <summary>One random operation on two values, keeping every intermediate a positive integer.</summary>
    private static (Node Node, string Step)? Combine(Random random, Node a, Node b)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var (x, y) = random.Next(2) == 0 ? (a, b) : (b, a);
            switch (random.Next(4))
            {
                case 0:
                    return Make(x, '+', y, x.Value + y.Value);
                case 1 when x.Value > y.Value:
                    return Make(x, '-', y, x.Value - y.Value);
                case 2 when x.Value * y.Value <= 10_000:
                    return Make(x, '*', y, x.Value * y.Value);
                case 3 when y.Value > 1 && x.Value % y.Value == 0:
                    return Make(x, '/', y, x.Value / y.Value);
            }
        }
        return null;
    }

    private static (Node, string) Make(Node x, char op, Node y, long value) =>
        (new Node(value, $"({x.Text}{op}{y.Text})", false), $"{x.Value}{op}{y.Value}={value}");

    private static string StripOuter(string text) => text[1..^1];

    public double Reward(Problem problem, string? response)
    {
        if (ParsePrompt(problem.Prompt) is not { } p) return 0.0;
        return Score(p.Numbers, p.Target, response);
    }

    /// <summary>1 when the "ans" expression equals the target and uses each given number exactly once.</summary>
    public static double Score(IReadOnlyList<long> numbers, long target, string? response)
    {
        var answer = FinalAnswerLine.Find(response);
        if (answer is null || CountdownExpression.Evaluate(answer) is not { } result) return 0.0;
        if (result.Value != BigRational.FromInteger(target)) return 0.0;
        var used = result.Numbers.OrderBy(x => x).ToList();
        return used.SequenceEqual(numbers.OrderBy(x => x)) ? 1.0 : 0.0;
    }

    /// <summary>Reads "3 5 7 to 22" back into its numbers and target.</summary>
    public static (IReadOnlyList<long> Numbers, long Target)? ParsePrompt(string prompt)
    {
        var parts = prompt.Split(" to ");
        if (parts.Length != 2 || !long.TryParse(parts[1].Trim(), out var target)) return null;
        var numbers = new List<long>();
        foreach (var token in parts[0].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(token, out var n)) return null;
            numbers.Add(n);
        }
        return (numbers, target);
    }
}
