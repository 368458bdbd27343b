namespace Hpt.Tasks.Verification;

internal enum ExprTokenKind
{
    Number,
    Letter,
    Command,
    Symbol,
    End,
}

/// <summary>One lexical unit of a LaTeX expression: "12.5", "x", "\frac" (Text = "frac") or "(".</summary>
internal readonly record struct ExprToken(ExprTokenKind Kind, string Text)
{
    public bool IsSymbol(char c) => Kind == ExprTokenKind.Symbol && Text.Length == 1 && Text[0] == c;
    public bool IsCommand(string name) => Kind == ExprTokenKind.Command && Text == name;

    /// <summary>Splits normalised LaTeX into tokens; spaces separate tokens and are otherwise ignored.</summary>
    public static List<ExprToken> Tokenize(string text)
    {
        var tokens = new List<ExprToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                var start = i;
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                if (i + 1 < text.Length && text[i] == '.' && char.IsAsciiDigit(text[i + 1]))
                {
                    i++;
                    while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                }
                tokens.Add(new ExprToken(ExprTokenKind.Number, text[start..i]));
            }
            else if (char.IsLetter(c))
            {
                tokens.Add(new ExprToken(ExprTokenKind.Letter, c.ToString()));
                i++;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                var start = ++i;
                if (char.IsAsciiLetter(text[i]))
                {
                    while (i < text.Length && char.IsAsciiLetter(text[i])) i++;
                }
                else
                {
                    i++;
                }
                tokens.Add(new ExprToken(ExprTokenKind.Command, text[start..i]));
            }
            else
            {
                tokens.Add(new ExprToken(ExprTokenKind.Symbol, c.ToString()));
                i++;
            }
        }
        tokens.Add(new ExprToken(ExprTokenKind.End, ""));
        return tokens;
    }
}
