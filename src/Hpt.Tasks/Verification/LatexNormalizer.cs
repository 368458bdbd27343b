using System.Text;
using System.Text.RegularExpressions;

namespace Hpt.Tasks.Verification;

/// <summary>
/// String clean-up applied to an extracted answer before parsing (the union of what the MATH, PRM800K, Qwen and
/// Math-Verify normalisers do that is safe): delimiters, \left/\right, spacing macros, \dfrac, \text wrappers and
/// unit text, degrees, percent, currency, thousands separators, relation macro spellings, Unicode symbols.
/// </summary>
internal static partial class LatexNormalizer
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(200);

    private static readonly string[] TextWrappers =
        ["text", "textbf", "textit", "textrm", "textnormal", "mathrm", "mbox", "mathit", "mathbf", "boldsymbol", "textsf", "mathsf"];

    public static string Normalize(string answer)
    {
        var s = answer;
        s = CollapsedBackslashes().Replace(s, "\\");
        s = s.Replace("\\$", "").Replace("\\(", " ").Replace("\\)", " ").Replace("\\[", " ").Replace("\\]", " ").Replace("$", " ");
        s = s.Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');
        s = LeftRightDot().Replace(s, "");
        s = SizeMacros().Replace(s, "");
        s = ThousandsBang().Replace(s, "$1$2");
        s = s.Replace("{,}", "");
        s = s.Replace("\\!", "");
        s = SpacingMacros().Replace(s, " ");
        s = s.Replace("~", " ");
        s = s.Replace("\\displaystyle", "").Replace("\\textstyle", "");
        s = s.Replace("\\dfrac", "\\frac").Replace("\\tfrac", "\\frac").Replace("\\cfrac", "\\frac");
        s = s.Replace("\\dbinom", "\\binom").Replace("\\tbinom", "\\binom");
        s = Degrees().Replace(s, "");
        s = UnwrapText(s);
        s = s.Replace("\\%", "").Replace("%", "");
        s = PercentWords().Replace(s, "$1");
        s = s.Replace("\\leqslant", "\\le").Replace("\\geqslant", "\\ge").Replace("\\leq", "\\le").Replace("\\geq", "\\ge")
            .Replace("\\neq", "\\ne").Replace("≤", "\\le ").Replace("≥", "\\ge ").Replace("≠", "\\ne ")
            .Replace("\\lt", "<").Replace("\\gt", ">");
        s = s.Replace("√", "\\sqrt").Replace("π", "\\pi ").Replace("∞", "\\infty ").Replace("×", "\\times ")
            .Replace("·", "\\cdot ").Replace("−", "-").Replace("∪", "\\cup ").Replace("∈", "\\in ");
        s = s.Replace("\\emptyset", "\\{\\}").Replace("\\varnothing", "\\{\\}");
        s = s.Replace("\\bmatrix", "\\pmatrix");
        s = MatrixEnvironments().Replace(s, "{pmatrix}");
        s = ArrayColumnSpec().Replace(s, "\\begin{pmatrix}");
        s = s.Trim();
        s = ApproxAssignment().Replace(s, "$1 = ");
        s = ApproxTail().Replace(s, "");
        s = s.TrimEnd('.', ' ', '\\').TrimStart(' ');
        return CollapseSpaces().Replace(s, " ").Trim();
    }

    /// <summary>
    /// Replaces \text{...}-style wrappers by their content. A wrapper whose content starts with a space and follows
    /// other content is unit text (MATH's rule: 10\text{ units}) and is dropped, with a ^2 after it.
    /// </summary>
    private static string UnwrapText(string s)
    {
        if (!s.Contains('\\')) return s;
        var sb = new StringBuilder(s.Length);
        var i = 0;
        while (i < s.Length)
        {
            if (s[i] == '\\' && TryWrapper(s, i, out var contentStart, out var contentEnd))
            {
                var content = s[contentStart..contentEnd];
                var after = contentEnd + 1;
                var trimmed = content.Trim();
                var isConnector = trimmed is "and" or "or" or "," || trimmed.Length == 0;
                if (!isConnector && content.StartsWith(' ') && sb.ToString().Trim().Length > 0 && !content.Trim().StartsWith('('))
                {
                    var unitPower = UnitPower().Match(s, after);
                    if (unitPower.Success && unitPower.Index == after) after += unitPower.Length;
                }
                else
                {
                    sb.Append(isConnector && trimmed.Length > 0 ? $" {trimmed} " : UnwrapText(content));
                }
                i = after;
            }
            else
            {
                sb.Append(s[i]);
                i++;
            }
        }
        return sb.ToString();
    }

    private static bool TryWrapper(string s, int at, out int contentStart, out int contentEnd)
    {
        contentStart = contentEnd = 0;
        foreach (var name in TextWrappers)
        {
            var end = at + 1 + name.Length;
            if (end >= s.Length || string.CompareOrdinal(s, at + 1, name, 0, name.Length) != 0) continue;
            var j = end;
            while (j < s.Length && s[j] == ' ') j++;
            if (j >= s.Length || s[j] != '{') continue;
            var close = Braces.MatchingClose(s, j);
            if (close < 0) return false;
            contentStart = j + 1;
            contentEnd = close;
            return true;
        }
        return false;
    }

    [GeneratedRegex(@"\\{2,}(?=[a-zA-Z]{2,})", RegexOptions.None, 200)]
    private static partial Regex CollapsedBackslashes();

    [GeneratedRegex(@"\\(?:left|right)\.|\\(?:left|right)(?![a-zA-Z])", RegexOptions.None, 200)]
    private static partial Regex LeftRightDot();

    [GeneratedRegex(@"\\(?:bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|middle)(?![a-zA-Z])", RegexOptions.None, 200)]
    private static partial Regex SizeMacros();

    [GeneratedRegex(@"(\d),\\!\s*(\d)", RegexOptions.None, 200)]
    private static partial Regex ThousandsBang();

    [GeneratedRegex(@"(?<!\\)\\(?:qquad|quad|,|;|:|>|\s)", RegexOptions.None, 200)]
    private static partial Regex SpacingMacros();

    [GeneratedRegex(@"\^\s*\{?\s*\\circ\s*\}?|\\circ|°|\\degree", RegexOptions.None, 200)]
    private static partial Regex Degrees();

    [GeneratedRegex(@"(\d|\})\s*(?:percentage|percent|pct)\b", RegexOptions.IgnoreCase, 200)]
    private static partial Regex PercentWords();

    [GeneratedRegex(@"\{(?:bmatrix|vmatrix|Bmatrix|Vmatrix|smallmatrix|matrix)\}", RegexOptions.None, 200)]
    private static partial Regex MatrixEnvironments();

    [GeneratedRegex(@"\\begin\{array\}\{[^{}]*\}", RegexOptions.None, 200)]
    private static partial Regex ArrayColumnSpec();

    /// <summary>"x \approx 11" states the value of x; only an \approx after a value is a dropped tail.</summary>
    [GeneratedRegex(@"^([A-Za-z](?:_\{?\w+\}?)?)\s*\\approx", RegexOptions.None, 200)]
    private static partial Regex ApproxAssignment();

    [GeneratedRegex(@"(?<=\S)\s*\\approx.*$", RegexOptions.None, 200)]
    private static partial Regex ApproxTail();

    /// <summary>A power right after unit text (\text{ cm}^2). \G, not ^: the match starts where the unit ended, and
    /// ^ would only ever match at the start of the whole answer.</summary>
    [GeneratedRegex(@"\G\s*(?:\^\s*\{?\s*\d\s*\}?)", RegexOptions.None, 200)]
    private static partial Regex UnitPower();

    [GeneratedRegex(@"\s+", RegexOptions.None, 200)]
    private static partial Regex CollapseSpaces();

    internal static TimeSpan Timeout => RegexTimeout;
}
