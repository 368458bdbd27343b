using Hpt.Tasks.Verification;

namespace Hpt.Tasks.Builtin;

/// <summary>
/// Parses and evaluates a countdown answer such as "(5*3)+7" exactly (rationals): integers, + - * / and
/// parentheses only. Returns the value and the numbers used, or null for anything else (bounded in size and depth).
/// </summary>
internal sealed class CountdownExpression
{
    private const int MaxLength = 200;
    private const int MaxDepth = 32;

    private readonly string _text;
    private readonly List<long> _numbers = [];
    private int _pos;
    private int _depth;

    private CountdownExpression(string text) => _text = text;

    public static (BigRational Value, IReadOnlyList<long> Numbers)? Evaluate(string text)
    {
        if (text.Length is 0 or > MaxLength) return null;
        var parser = new CountdownExpression(text.Replace(" ", ""));
        try
        {
            var value = parser.Sum();
            return parser._pos == parser._text.Length && value is { } v ? (v, parser._numbers) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private char Peek => _pos < _text.Length ? _text[_pos] : '\0';

    private BigRational? Sum()
    {
        var left = Product();
        while (Peek is '+' or '-')
        {
            var op = _text[_pos++];
            var right = Product();
            left = left is { } l && right is { } r ? (op == '+' ? l + r : l - r) : null;
        }
        return left;
    }

    private BigRational? Product()
    {
        var left = Atom();
        while (Peek is '*' or '/')
        {
            var op = _text[_pos++];
            var right = Atom();
            left = left is { } l && right is { } r ? (op == '*' ? l * r : l / r) : null;
        }
        return left;
    }

    private BigRational? Atom()
    {
        if (Peek == '(')
        {
            if (++_depth > MaxDepth) throw new FormatException("too deep");
            _pos++;
            var inner = Sum();
            if (Peek != ')') throw new FormatException("unclosed parenthesis");
            _pos++;
            _depth--;
            return inner;
        }
        var start = _pos;
        while (char.IsAsciiDigit(Peek)) _pos++;
        if (_pos == start || _pos - start > 9) throw new FormatException("expected a number");
        var n = long.Parse(_text.AsSpan(start, _pos - start), provider: System.Globalization.CultureInfo.InvariantCulture);
        _numbers.Add(n);
        return BigRational.FromInteger(n);
    }
}
