using System.Text.RegularExpressions;

namespace Hpt.Tasks.Verification;

/// <summary>
/// Turns a normalised answer string into an <see cref="AnswerValue"/>: lists (",", ";", "and", "or"), named values,
/// relations, matrices, interval unions, sets, tuples/intervals, ratios, text, and scalar expressions.
/// </summary>
internal sealed partial class AnswerParser
{
    private const int MaxDepth = 12;
    private readonly Budget _budget;
    private int _depth;

    public AnswerParser(Budget budget) => _budget = budget;

    public AnswerValue Parse(string normalized)
    {
        _budget.Spend(normalized.Length / 16 + 1);
        if (++_depth > MaxDepth) throw new BudgetExceededException();
        try
        {
            var connectors = new List<string>();
            var groups = SplitGroups(normalized, connectors);
            if (groups.Count == 1) return ParseCommaList(groups[0]);
            if (AsDisjunction(groups, connectors) is { } disjunction) return disjunction;
            var values = new List<AnswerValue>();
            foreach (var group in groups)
            {
                var v = ParseCommaList(group);
                if (v is SetAnswer set) values.AddRange(set.Items.Select(UnwrapAssignment));
                else values.Add(UnwrapAssignment(v));
            }
            return new SetAnswer(values);
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary>
    /// Splits at top-level ';' and at the words "and"/"or" (also glued: "(11,7)or(7,11)", "1orW(x)"); the separators
    /// found are added to <paramref name="connectors"/> (";", "and", "or").
    /// </summary>
    private static List<string> SplitGroups(string s, List<string> connectors)
    {
        var parts = Braces.SplitTopLevel(s, (text, i) =>
        {
            var width = text[i] == ';' && !(i > 0 && text[i - 1] == '\\') ? 1 : ConnectorWidth(text, i);
            if (width > 0) connectors.Add(text.Substring(i, width));
            return width;
        });
        var kept = parts.Select(p => p.Trim()).Where(p => p.Length > 0 && p != ",").ToList();
        return kept.Count == 0 ? [s] : kept;
    }

    /// <summary>
    /// "x \le -1 or x \ge 3": inequalities joined only by "or" are one condition, the union of their intervals (an
    /// "and" would be an intersection, and a list of equations is a set of solutions, so neither is taken here).
    /// </summary>
    private DisjunctionAnswer? AsDisjunction(List<string> groups, List<string> connectors)
    {
        if (connectors.Count == 0 || connectors.Any(c => c != "or")) return null;
        var parts = new List<RelationAnswer>();
        foreach (var group in groups)
        {
            if (ParseCommaList(group) is not RelationAnswer { IsEquation: false } relation) return null;
            parts.Add(relation);
        }
        return new DisjunctionAnswer(parts);
    }

    private static int ConnectorWidth(string s, int i)
    {
        foreach (var word in (ReadOnlySpan<string>)["and", "or"])
        {
            if (string.CompareOrdinal(s, i, word, 0, word.Length) != 0) continue;
            var before = i > 0 ? s[i - 1] : ' ';
            var after = i + word.Length < s.Length ? s[i + word.Length] : ' ';
            if (char.IsAsciiLetterLower(before) || before == '\\' || char.IsAsciiLetterLower(after)) continue;
            return word.Length;
        }
        return 0;
    }

    private AnswerValue ParseCommaList(string s)
    {
        s = s.Trim().Trim(',').Trim();
        if (Thousands().IsMatch(s)) s = s.Replace(",", "");
        var parts = Braces.SplitTopLevel(s, ',').Select(p => p.Trim()).Where(p => p.Length > 0).SelectMany(ExpandPlusMinus).ToList();
        if (parts.Count == 0) return new TextAnswer(s);
        if (parts.Count == 1) return ParseItem(parts[0]);
        var items = parts.Select(ParseItem).ToList();
        if (AsRecord(items) is { } record) return record;
        return new SetAnswer(items.Select(UnwrapAssignment).ToList());
    }

    /// <summary>"a \pm b" is the two answers a + b and a - b.</summary>
    private static IEnumerable<string> ExpandPlusMinus(string item)
    {
        if (!item.Contains("\\pm") && !item.Contains("\\mp")) return [item];
        var plus = item.Replace("\\pm", "+").Replace("\\mp", "-");
        var minus = item.Replace("\\pm", "-").Replace("\\mp", "+");
        return [plus, minus];
    }

    private static RecordAnswer? AsRecord(List<AnswerValue> items)
    {
        var fields = new List<(string, AnswerValue)>();
        foreach (var item in items)
        {
            if (item is not RelationAnswer { IsEquation: true, Sides.Count: 2 } r || !IsSimpleLeftSide(r.SideTexts[0])) return null;
            fields.Add((Canonical(r.SideTexts[0]), r.Sides[1]));
        }
        return fields.Select(f => f.Item1).Distinct().Count() == fields.Count ? new RecordAnswer(fields) : null;
    }

    /// <summary>"x = 5" (or a chain "a = b = 11") stands for its last value when the left side just names something.</summary>
    public static AnswerValue UnwrapAssignment(AnswerValue value) =>
        value is RelationAnswer { IsEquation: true } r && (IsSimpleLeftSide(r.SideTexts[0]) || r.Sides.Count > 2) ? r.Sides[^1] : value;

    /// <summary>A name such as x, x_1, f(x), |AB|, A:B, (p,q), \frac{NO}{BO}; not an expression like x^2+y^2.</summary>
    public static bool IsSimpleLeftSide(string text)
    {
        var t = text.Trim();
        if (t.Length == 0 || t.Length > 40 || !t.Any(char.IsLetter)) return false;
        if (t.Contains('^')) return false;
        var depth = 0;
        for (var i = 0; i < t.Length; i++)
        {
            var c = t[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth--;
            else if ((c == '+' || c == '-') && depth == 0 && i > 0) return false;
        }
        return !SimpleNumber().IsMatch(t);
    }

    public static string Canonical(string text) => text.Replace(" ", "").Replace("{", "").Replace("}", "");

    private AnswerValue ParseItem(string s)
    {
        _budget.Spend();
        s = s.Trim();
        s = MembershipPrefix().Replace(s, "");
        if (s.Length == 0) return new TextAnswer("");
        if (SplitRelation(s) is { } relation) return relation;
        return ParseNonRelation(s);
    }

    private AnswerValue ParseNonRelation(string s)
    {
        s = s.Trim();
        if (s.StartsWith("\\begin{pmatrix}") && s.EndsWith("\\end{pmatrix}")) return ParseMatrix(s);
        if (s.Contains("\\cup"))
        {
            var parts = s.Split("\\cup").Select(p => ParseNonRelation(p.Trim())).ToList();
            if (parts.All(p => p is TupleAnswer { Items.Count: 2 }))
                return new UnionAnswer(parts.Cast<TupleAnswer>().ToList());
            return new TextAnswer(s);
        }
        if (s.StartsWith("\\{") && s.EndsWith("\\}"))
        {
            var inner = s[2..^2].Trim();
            if (inner.Length == 0) return new SetAnswer([]);
            return ToSet(Parse(inner));
        }
        if (s[0] is '(' or '[' or '{' && Braces.OuterPairSpansAll(s))
        {
            var inner = s[1..^1];
            var parts = Braces.SplitTopLevel(inner, ',');
            if (parts.Count == 1) parts = Braces.SplitTopLevel(inner, ';');
            if (parts.Count >= 2)
            {
                var items = parts.Select(p => ParseItem(p.Trim())).Select(UnwrapAssignment).ToList();
                return s[0] == '{' ? new SetAnswer(items) : new TupleAnswer(s[0], s[^1], items);
            }
            if (s[0] == '{') return ParseNonRelation(inner);
        }
        var ratio = Braces.SplitTopLevel(s, ':');
        if (ratio.Count >= 2 && ratio.All(r => r.Trim().Length > 0))
            return new TupleAnswer(':', ':', ratio.Select(r => ParseNonRelation(r)).ToList());
        var unitless = UnitWords().Match(s) is { Success: true } m && IsConstant(m.Groups[1].Value) ? m.Groups[1].Value.Trim() : s;
        if (LooksLikeText(unitless)) return new TextAnswer(unitless);
        return ExprParser.TryParse(unitless, _budget) is { } expr ? new ScalarAnswer(expr, unitless) : new TextAnswer(unitless);
    }

    private static AnswerValue ToSet(AnswerValue v) => v is SetAnswer ? v : new SetAnswer([v]);

    private bool IsConstant(string text) =>
        ExprParser.TryParse(text, _budget) is { } e && ExactEvaluator.Evaluate(e, _budget) is not null;

    private static bool LooksLikeText(string s)
    {
        var run = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsAsciiLetter(s[i]))
            {
                if (run == 0 && i > 0 && s[i - 1] == '\\') run = -1000; // a command name
                run++;
                if (run >= 3) return true;
            }
            else
            {
                run = 0;
            }
        }
        return false;
    }

    private AnswerValue ParseMatrix(string s)
    {
        var body = s["\\begin{pmatrix}".Length..^"\\end{pmatrix}".Length];
        var rows = new List<IReadOnlyList<AnswerValue>>();
        foreach (var row in body.Split("\\\\"))
        {
            if (row.Trim().Length == 0) continue;
            rows.Add(row.Split('&').Select(cell => ParseNonRelation(cell.Trim())).ToList());
        }
        return new MatrixAnswer(rows);
    }

    private RelationAnswer? SplitRelation(string s)
    {
        var ops = new List<string>();
        var texts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth = Math.Max(0, depth - 1);
            if (depth != 0) continue;
            string? op = null;
            var width = 1;
            if (c == '!' && i + 1 < s.Length && s[i + 1] == '=')
            {
                op = "\\ne";
                width = 2;
            }
            else if (c is '=' or '<' or '>')
            {
                op = c.ToString();
                if (i + 1 < s.Length && s[i + 1] == '=' && c != '=')
                {
                    op = c == '<' ? "\\le" : "\\ge";
                    width = 2;
                }
            }
            else if (c == '\\' && i + 3 <= s.Length)
            {
                var name = s.Substring(i + 1, 2);
                var boundary = i + 3 >= s.Length || !char.IsAsciiLetter(s[i + 3]);
                if (boundary && name is "le" or "ge" or "ne")
                {
                    op = "\\" + name;
                    width = 3;
                }
            }
            if (op is null) continue;
            texts.Add(s[start..i].Trim());
            ops.Add(op);
            start = i + width;
            i += width - 1;
        }
        if (ops.Count == 0) return null;
        texts.Add(s[start..].Trim());
        if (texts.Any(t => t.Length == 0)) return null;
        return new RelationAnswer(ops, texts.Select(t => ParseNonRelation(t)).ToList(), texts);
    }

    [GeneratedRegex(@"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$", RegexOptions.None, 200)]
    private static partial Regex Thousands();

    [GeneratedRegex(@"^[+-]?\d+(?:\.\d+)?$", RegexOptions.None, 200)]
    private static partial Regex SimpleNumber();

    [GeneratedRegex(@"^(?:[A-Za-z](?:_\{?\w+\}?)?\s*)?\\in(?![a-zA-Z])\s*", RegexOptions.None, 200)]
    private static partial Regex MembershipPrefix();

    [GeneratedRegex(@"^(.*?\d[^A-Za-z]*?)\s+((?:[A-Za-z]{2,}\.?(?:\^\d)?\s*)+)$", RegexOptions.None, 200)]
    private static partial Regex UnitWords();
}
