namespace Hpt.Tasks.Verification;

/// <summary>Brace and bracket matching helpers shared by extraction and answer parsing (linear, no regex).</summary>
internal static class Braces
{
    /// <summary>Index of the '}' that closes the '{' at <paramref name="open"/>; -1 when unbalanced.</summary>
    public static int MatchingClose(string s, int open)
    {
        var depth = 0;
        for (var i = open; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length && (s[i + 1] == '{' || s[i + 1] == '}'))
            {
                i++;
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i;
        }
        return -1;
    }

    /// <summary>
    /// Splits at top-level occurrences of <paramref name="separator"/> (depth counts (), [], {} in any pairing, so
    /// half-open intervals like [0,1) nest correctly). Escaped braces \{ \} count as brackets too.
    /// </summary>
    public static List<string> SplitTopLevel(string s, char separator) =>
        SplitTopLevel(s, (text, i) => text[i] == separator && !(i > 0 && text[i - 1] == '\\') ? 1 : 0);

    /// <summary>
    /// Splits at top-level separators whose width at position i <paramref name="separatorWidthAt"/> reports (0 = none
    /// there); brackets of any kind nest, so separators inside them are ignored.
    /// </summary>
    public static List<string> SplitTopLevel(string s, Func<string, int, int> separatorWidthAt)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}') depth = Math.Max(0, depth - 1);
            else if (depth == 0 && separatorWidthAt(s, i) is var width and > 0)
            {
                parts.Add(s[start..i]);
                start = i + width;
                i += width - 1;
            }
        }
        parts.Add(s[start..]);
        return parts;
    }

    /// <summary>True when the bracket at 0 closes exactly at the last character (so "(1,2)" but not "(1)(2)").</summary>
    public static bool OuterPairSpansAll(string s)
    {
        if (s.Length < 2) return false;
        var depth = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']' or '}')
            {
                depth--;
                if (depth == 0) return i == s.Length - 1;
            }
        }
        return false;
    }
}
