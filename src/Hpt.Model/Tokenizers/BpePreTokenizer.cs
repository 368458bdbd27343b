using System.Text;

namespace Hpt.Model.Tokenizers;

/// <summary>
/// The Qwen2 / Llama-3 pre-tokenizer regex, hand-compiled over Unicode code points:
/// <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,K}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>
/// with K = 1 (Qwen) or 3 (Llama-3). Why not <see cref="System.Text.RegularExpressions.Regex"/>: .NET regex classes work
/// on UTF-16 code units, so <c>\p{L}</c> misses astral-plane letters (math italic 𝑥, CJK extension B) and the ids
/// differ from Hugging Face on math text. Each branch below is one alternative, tried in the regex's order.
/// </summary>
public sealed class BpePreTokenizer(int maxDigits)
{
    public static BpePreTokenizer Qwen2 { get; } = new(1);
    public static BpePreTokenizer Llama3 { get; } = new(3);

    public int MaxDigits { get; } = maxDigits;

    /// <summary>The pieces of <paramref name="text"/> as (start, length) in UTF-16 units; they tile the text.</summary>
    public List<(int Start, int Length)> Split(string text)
    {
        var pieces = new List<(int, int)>();
        var i = 0;
        while (i < text.Length)
        {
            var end = Match(text, i);
            pieces.Add((i, end - i));
            i = end;
        }
        return pieces;
    }

    private int Match(string s, int i)
    {
        var c = At(s, i, out var cLen);
        var next = i + cLen;

        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if (c.Value == '\'' && next < s.Length)
        {
            var a = char.ToLowerInvariant(s[next]);
            var b = next + 1 < s.Length ? char.ToLowerInvariant(s[next + 1]) : '\0';
            if (a is 's' or 't' or 'm' or 'd') return next + 1;
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return next + 2;
        }

        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (Rune.IsLetter(c)) return Letters(s, next);
        if (c.Value != '\r' && c.Value != '\n' && !Rune.IsNumber(c) && next < s.Length && Rune.IsLetter(At(s, next, out _)))
            return Letters(s, next);

        // \p{N}{1,K}
        if (Rune.IsNumber(c))
        {
            var end = next;
            for (var k = 1; k < MaxDigits && end < s.Length; k++)
            {
                var r = At(s, end, out var len);
                if (!Rune.IsNumber(r)) break;
                end += len;
            }
            return end;
        }

        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        var start = i;
        if (c.Value == ' ' && next < s.Length && IsOther(At(s, next, out _))) start = next;
        if (IsOther(start == i ? c : At(s, start, out _)))
        {
            var end = start;
            while (end < s.Length && IsOther(At(s, end, out var len))) end += len;
            while (end < s.Length && s[end] is '\r' or '\n') end++;
            return end;
        }

        // Whitespace from here on: W = the maximal whitespace run at i.
        var wsEnd = i;
        var lastNewlineEnd = -1;
        var lastRuneStart = i;
        while (wsEnd < s.Length)
        {
            var r = At(s, wsEnd, out var len);
            if (!Rune.IsWhiteSpace(r)) break;
            lastRuneStart = wsEnd;
            wsEnd += len;
            if (r.Value is '\r' or '\n') lastNewlineEnd = wsEnd;
        }
        // \s*[\r\n]+ : backtracking ends the match right after the run's last newline.
        if (lastNewlineEnd > 0) return lastNewlineEnd;
        // \s+(?!\S) : all of W at the end of the text, else W minus its last character (if that leaves any).
        if (wsEnd == s.Length) return wsEnd;
        if (lastRuneStart > i) return lastRuneStart;
        // \s+
        return wsEnd;
    }

    private static int Letters(string s, int i)
    {
        while (i < s.Length && Rune.IsLetter(At(s, i, out var len))) i += len;
        return i;
    }

    private static bool IsOther(Rune r) => !Rune.IsWhiteSpace(r) && !Rune.IsLetter(r) && !Rune.IsNumber(r);

    /// <summary>The code point at i (a lone surrogate reads as U+FFFD, one unit long, like the regex's single code unit).</summary>
    private static Rune At(string s, int i, out int length)
    {
        if (Rune.DecodeFromUtf16(s.AsSpan(i), out var r, out length) != System.Buffers.OperationStatus.Done) length = 1;
        return r;
    }
}
