namespace Hpt.Tasks.Verification;

/// <summary>
/// Finds the final answer in a response, in linear time (IndexOf scans, no backtracking regex): the text after the
/// last &lt;/think&gt; only; the rightmost of the last \boxed{}/\fbox{} (brace matched, with boxes a few words apart
/// joined), "final answer is X" and "#### X"; then "answer: X" / "the answer is X"; then a bare short answer; then
/// the rightmost LaTeX environment or number. Retracted earlier boxes never count: the last one does.
/// </summary>
public static class AnswerExtractor
{
    /// <summary>Responses longer than this have no answer (a runaway generation), checked before any scan.</summary>
    public const int MaxResponseChars = 4_000_000;

    private const int MaxAnswerChars = 4000;

    /// <summary>Extracts the final answer of a model response; null when there is none.</summary>
    public static ExtractedAnswer? Extract(string? response, VerifierMode mode = VerifierMode.Default) =>
        Extract(response, mode, lenientBoxes: false);

    /// <summary>
    /// Extracts a gold answer. Golds come as bare answers ("025", "$\frac{1}{2}$"), boxed ("\boxed{204}") or whole
    /// reference solutions, so the default rules apply, and an unclosed final box still yields its text.
    /// </summary>
    public static ExtractedAnswer? ExtractGold(string? gold) => Extract(gold, VerifierMode.Default, lenientBoxes: true);

    private static ExtractedAnswer? Extract(string? response, VerifierMode mode, bool lenientBoxes)
    {
        if (string.IsNullOrWhiteSpace(response) || response.Length > MaxResponseChars) return null;
        var text = response;
        var think = text.LastIndexOf("</think>", StringComparison.Ordinal);
        if (think >= 0) text = text[(think + "</think>".Length)..];

        var boxed = LastBoxes(text, lenientBoxes);
        if (mode == VerifierMode.Strict) return boxed is { } b ? Checked(b.Text, "boxed") : null;

        var best = boxed is { } bx ? (bx.Text, bx.End, Method: "boxed") : default;
        // "final answer is thus $24^2 = \boxed{576}$": the box inside the phrase is the answer.
        if (FinalAnswerIs(text) is { } fa && fa.End > best.End && !fa.Text.Contains("\\boxed")) best = (fa.Text, fa.End, "final-answer");
        if (HashMarks(text) is { } hm && hm.End > best.End) best = (hm.Text, hm.End, "####");
        if (best.Text is not null) return Checked(best.Text, best.Method);

        if (AnswerMarker(text) is { } am) return Checked(am, "answer");
        if (text.Length <= 300 && IsBareAnswer(text)) return Checked(text, "bare");
        return LastEnvironmentOrNumber(text) is { } last ? Checked(last, "last") : null;
    }

    private static ExtractedAnswer? Checked(string answer, string method)
    {
        var trimmed = answer.Trim();
        if (trimmed.Length == 0 || trimmed.Length > MaxAnswerChars) return null;
        return new ExtractedAnswer(trimmed, method);
    }

    private readonly record struct Found(string Text, int End);

    /// <summary>The last box, joined with earlier boxes separated only by a few words or commas.</summary>
    private static Found? LastBoxes(string text, bool lenient)
    {
        var boxes = new List<(int Start, int End, string Content)>();
        var searchEnd = text.Length;
        var guard = 0;
        while (searchEnd > 0 && guard++ < 64)
        {
            var at = LastBoxStart(text, searchEnd, out var nameEnd);
            if (at < 0) break;
            var content = BoxContent(text, nameEnd, lenient && boxes.Count == 0, out var end);
            searchEnd = at;
            if (content is null)
            {
                if (boxes.Count == 0) return null; // the final box is truncated: no answer, not an earlier one
                break;
            }
            if (boxes.Count > 0 && !IsJoinSeparator(text[end..boxes[^1].Start])) break;
            boxes.Add((at, end, content));
        }
        if (boxes.Count == 0) return null;
        boxes.Reverse();
        return new Found(string.Join(", ", boxes.Select(b => b.Content)), boxes[^1].End);
    }

    private static int LastBoxStart(string text, int before, out int nameEnd)
    {
        nameEnd = -1;
        var best = -1;
        foreach (var name in (ReadOnlySpan<string>)["\\boxed", "\\fbox"])
        {
            var at = before - 1 < 0 ? -1 : text.LastIndexOf(name, before - 1, StringComparison.Ordinal);
            while (at >= 0 && at + name.Length > before) at = at == 0 ? -1 : text.LastIndexOf(name, at - 1, StringComparison.Ordinal);
            if (at > best)
            {
                best = at;
                nameEnd = at + name.Length;
            }
        }
        // Doubled backslashes (\\boxed, from escaped sources) belong to the same box.
        while (best > 0 && text[best - 1] == '\\') best--;
        return best;
    }

    private static string? BoxContent(string text, int nameEnd, bool lenient, out int end)
    {
        end = nameEnd;
        var i = nameEnd;
        while (i < text.Length && text[i] == ' ') i++;
        if (i < text.Length && text[i] == '{')
        {
            var close = Braces.MatchingClose(text, i);
            if (close < 0)
            {
                if (!lenient) return null;
                end = text.Length;
                return text[(i + 1)..].TrimEnd('$', ' ', '\n');
            }
            end = close + 1;
            return text[(i + 1)..close];
        }
        if (i == nameEnd || i >= text.Length) return null;
        // \boxed 5: up to the next '$' or whitespace.
        var stop = i;
        while (stop < text.Length && text[stop] != '$' && !char.IsWhiteSpace(text[stop])) stop++;
        end = stop;
        return stop > i ? text[i..stop] : null;
    }

    /// <summary>Text between two boxes that still makes them one answer: "," "and" "\quad \text{and} \quad", a few words.</summary>
    private static bool IsJoinSeparator(string between)
    {
        if (between.Length > 80) return false;
        var s = between.Replace("\\quad", " ").Replace("\\qquad", " ").Replace("\\text", " ").Replace("\\(", " ")
            .Replace("\\)", " ").Replace("\\[", " ").Replace("\\]", " ").Replace("\\,", " ").Replace("\\ ", " ");
        if (s.IndexOfAny(['.', '#', ':', '!', '?', ';']) >= 0) return false;
        // Working between the boxes ("\boxed{2}$, so $\log_2 16 = \boxed{4}") makes them separate results.
        if (s.Count(c => c == '=') > 1 || s.Contains('\\')) return false;
        var words = 0;
        var run = 0;
        foreach (var c in s + " ")
        {
            if (char.IsLetter(c))
            {
                run++;
            }
            else
            {
                if (run >= 2) words++;
                run = 0;
            }
        }
        return words <= 4;
    }

    /// <summary>"The final answer is X. I hope" and "final answer ... is X" (within 100 characters).</summary>
    private static Found? FinalAnswerIs(string text)
    {
        var at = LastIndexOfIgnoreCase(text, "final answer", text.Length);
        var tries = 0;
        while (at >= 0 && tries++ < 16)
        {
            var after = at + "final answer".Length;
            var window = Math.Min(text.Length, after + 100);
            for (var j = after; j + 2 <= window; j++)
            {
                if ((text[j] == 'i' || text[j] == 'I') && j + 1 < text.Length && text[j + 1] == 's'
                    && char.IsWhiteSpace(text[j - 1]) && (j + 2 == text.Length || !char.IsLetter(text[j + 2])))
                {
                    if (Phrase(text, j + 2) is { } phrase && LooksLikeAnswer(phrase.Text)) return phrase;
                    break;
                }
            }
            at = at == 0 ? -1 : LastIndexOfIgnoreCase(text, "final answer", at);
        }
        return null;
    }

    private static Found? HashMarks(string text)
    {
        var at = text.LastIndexOf("####", StringComparison.Ordinal);
        if (at < 0) return null;
        var start = at + 4;
        var lineEnd = text.IndexOf('\n', start);
        if (lineEnd < 0) lineEnd = text.Length;
        var value = text[start..lineEnd].Trim().Replace(",", "").Replace("$", "").TrimEnd('.');
        return value.Length == 0 ? null : new Found(value, lineEnd);
    }

    /// <summary>"answer: X", "the answer is X", "Final Answer: ... 3 hours": the phrase, else the first number/formula.</summary>
    private static string? AnswerMarker(string text)
    {
        var at = LastIndexOfIgnoreCase(text, "answer", text.Length);
        var tries = 0;
        while (at >= 0 && tries++ < 16)
        {
            var j = at + "answer".Length;
            if (j < text.Length && char.IsLetter(text[j]))
            {
                at = at == 0 ? -1 : LastIndexOfIgnoreCase(text, "answer", at);
                continue;
            }
            var k = SkipFiller(text, j);
            if (k + 2 <= text.Length && string.Compare(text, k, "is", 0, 2, StringComparison.OrdinalIgnoreCase) == 0
                && (k + 2 == text.Length || !char.IsLetter(text[k + 2])))
                k = SkipFiller(text, k + 2);
            if (Phrase(text, k) is { } phrase && IsBareAnswer(phrase.Text)) return phrase.Text;
            if (FirstFormula(text, k, 50) is { } formula) return formula;
            at = at == 0 ? -1 : LastIndexOfIgnoreCase(text, "answer", at);
        }
        return null;
    }

    /// <summary>"is 34", "is $(0,1)$", "is odd"; not "is correct" (from "I hope it is correct").</summary>
    private static bool LooksLikeAnswer(string phrase) =>
        IsBareAnswer(phrase) && (phrase.Any(c => char.IsAsciiDigit(c) || c == '\\' || c == '(' || c == '[')
                                 || !phrase.StartsWith("correct", StringComparison.OrdinalIgnoreCase) && !phrase.Contains(' '));

    private static int SkipFiller(string text, int i)
    {
        while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] is ':' or '*')) i++;
        return i;
    }

    /// <summary>The answer phrase starting at <paramref name="start"/>: a LaTeX environment, or text to the sentence end.</summary>
    private static Found? Phrase(string text, int start)
    {
        var i = SkipFiller(text, start);
        if (i >= text.Length) return null;
        if (Environment(text, i) is { } env) return env;
        var box = i;
        if (text.AsSpan(box).StartsWith("\\boxed") && LastBoxes(text[..Math.Min(text.Length, box + MaxAnswerChars)], false) is { } b)
            return b;
        var end = i;
        while (end < text.Length)
        {
            var c = text[end];
            if (c == '\n') break;
            if (c == '.' && (end + 1 == text.Length || char.IsWhiteSpace(text[end + 1]))) break;
            if (end - i > 200) return null;
            end++;
        }
        var phrase = text[i..end].Trim().TrimEnd('*', '.').Trim();
        return phrase.Length == 0 ? null : new Found(phrase, end);
    }

    /// <summary>$..$, $$..$$, \(..\), \[..\] starting exactly at <paramref name="i"/>.</summary>
    private static Found? Environment(string text, int i)
    {
        string? close = null;
        var open = 0;
        if (text.AsSpan(i).StartsWith("$$")) (open, close) = (2, "$$");
        else if (text[i] == '$') (open, close) = (1, "$");
        else if (text.AsSpan(i).StartsWith("\\(")) (open, close) = (2, "\\)");
        else if (text.AsSpan(i).StartsWith("\\[")) (open, close) = (2, "\\]");
        if (close is null) return null;
        var end = text.IndexOf(close, i + open, StringComparison.Ordinal);
        if (end < 0 || end - i > MaxAnswerChars) return null;
        var content = text[(i + open)..end];
        if (LastBoxes(content, false) is { } boxed) content = boxed.Text;
        // A percent sign right after the environment belongs to the answer ($28$ %).
        return new Found(content, end + close.Length);
    }

    /// <summary>The first LaTeX environment or number starting within <paramref name="window"/> characters.</summary>
    private static string? FirstFormula(string text, int start, int window)
    {
        var limit = Math.Min(text.Length, start + window);
        for (var i = start; i < limit; i++)
        {
            if (text[i] == '$' || (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '(' or '['))
            {
                if (Environment(text, i) is { } env) return env.Text;
            }
            else if (char.IsAsciiDigit(text[i]) || (text[i] == '-' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                return NumberAt(text, i, out _);
            }
        }
        return null;
    }

    private static string NumberAt(string text, int i, out int end)
    {
        var j = i;
        if (text[j] == '-') j++;
        while (j < text.Length && (char.IsAsciiDigit(text[j])
                                   || (text[j] is ',' or '.' or '/' && j + 1 < text.Length && char.IsAsciiDigit(text[j + 1]))))
            j++;
        end = j;
        return text[i..j];
    }

    /// <summary>A short text that is all answer: no more than three words of three or more letters outside macros.</summary>
    /// <summary>
    /// A short text that is all answer: at most three words of three or more letters outside macros and \text, and
    /// at most one outside $...$ (so "We find that $x < 3$." is prose around an answer, not an answer).
    /// </summary>
    private static bool IsBareAnswer(string text) =>
        text.Length <= 300 && WordCount(text) <= 3 && WordCount(OutsideDollars(text)) <= 1;

    private static string OutsideDollars(string text)
    {
        var parts = text.Split('$');
        return parts.Length < 3 ? text : string.Join(" ", parts.Where((_, i) => i % 2 == 0));
    }

    private static int WordCount(string text)
    {
        text = text.Replace("\\begin{", "\\begin").Replace("\\end{", "\\end").Replace("matrix}", "matrix").Replace("array}", "array");
        var words = 0;
        var run = 0;
        var command = false;
        var inText = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (char.IsLetter(c))
            {
                if (run == 0) command = i > 0 && text[i - 1] == '\\';
                run++;
                continue;
            }
            if (run >= 3 && !command && inText == 0)
            {
                var word = text.Substring(i - run, run).ToLowerInvariant();
                if (word is not ("and" or "or" or "percent" or "pct" or "percentage")) words++;
            }
            if (run > 0 && command && c == '{' && text.Substring(i - run, run) is "text" or "mathrm" or "textbf" or "mbox") inText = 1;
            else if (inText > 0 && c == '{') inText++;
            else if (inText > 0 && c == '}') inText--;
            run = 0;
        }
        return words;
    }

    /// <summary>Fallback: the rightmost complete LaTeX environment or number.</summary>
    private static string? LastEnvironmentOrNumber(string text)
    {
        string? env = null;
        var envEnd = -1;
        var i = text.Length - 1;
        for (var scanned = 0; i >= 0 && scanned < 200_000; i--, scanned++)
        {
            if (text[i] != '$' && !(text[i] == '\\' && i + 1 < text.Length && text[i + 1] is ')' or ']')) continue;
            // Found a closing delimiter; find the matching opening one.
            var (close, open) = text[i] == '$' ? (i > 0 && text[i - 1] == '$' ? ("$$", "$$") : ("$", "$"))
                : text[i + 1] == ')' ? ("\\)", "\\(") : ("\\]", "\\[");
            var closeStart = close == "$$" ? i - 1 : i;
            if (closeStart <= 0) break;
            var openAt = text.LastIndexOf(open, closeStart - 1, StringComparison.Ordinal);
            if (openAt < 0 || closeStart - openAt > MaxAnswerChars) break;
            env = text[(openAt + open.Length)..closeStart];
            envEnd = closeStart + close.Length;
            break;
        }
        string? number = null;
        var numberEnd = -1;
        for (var j = text.Length - 1; j >= 0 && text.Length - j < 200_000; j--)
        {
            if (!char.IsAsciiDigit(text[j])) continue;
            var start = j;
            while (start > 0 && (char.IsAsciiDigit(text[start - 1]) || (text[start - 1] is ',' or '.' or '/' && start > 1 && char.IsAsciiDigit(text[start - 2]))))
                start--;
            if (start > 0 && text[start - 1] == '-') start--;
            number = NumberAt(text, start, out numberEnd);
            break;
        }
        // An environment holding prose ("$? just about 1$") is not an answer; its number may be.
        if (env is not null && envEnd >= numberEnd && env.Trim().Length > 0 && WordCount(env) == 0) return env;
        return number ?? env;
    }

    private static int LastIndexOfIgnoreCase(string text, string value, int before)
    {
        if (before <= 0) return -1;
        return text.LastIndexOf(value, before - 1, StringComparison.OrdinalIgnoreCase);
    }
}
