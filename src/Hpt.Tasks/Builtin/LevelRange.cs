using System.Globalization;

namespace Hpt.Tasks.Builtin;

/// <summary>
/// The difficulty knob of a <see cref="LadderTask"/>: the levels a problem set draws from, in equal shares. Written
/// "2" (one level), "1-4" (a range), or easy (1-2), mixed (1-4), hard (3-5).
/// </summary>
public sealed record LevelRange(int From, int To)
{
    /// <summary>The highest level a ladder defines (so one step beyond a range is always defined up to To = 5).</summary>
    public const int MaxLevel = 6;

    public IEnumerable<int> Levels => Enumerable.Range(From, To - From + 1);

    /// <summary>One step harder than the whole range: the out-of-distribution level.</summary>
    public int NextLevel => To + 1;

    public override string ToString() => From == To ? From.ToString(CultureInfo.InvariantCulture) : $"{From}-{To}";

    public static LevelRange Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        var range = t switch
        {
            "easy" => new LevelRange(1, 2),
            "mixed" => new LevelRange(1, 4),
            "hard" => new LevelRange(3, 5),
            _ => ParseNumbers(t),
        };
        if (range is null || range.From < 1 || range.To > MaxLevel || range.From > range.To)
            throw new ArgumentException($"difficulty '{text}': levels 'A-B' or 'A' with 1 <= A <= B <= {MaxLevel}, or easy, mixed, hard");
        return range;
    }

    private static LevelRange? ParseNumbers(string t)
    {
        var parts = t.Split('-');
        if (parts.Length is < 1 or > 2) return null;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from)) return null;
        if (parts.Length == 1) return new LevelRange(from, from);
        return int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var to) ? new LevelRange(from, to) : null;
    }
}
