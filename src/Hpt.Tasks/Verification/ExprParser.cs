namespace Hpt.Tasks.Verification;

/// <summary>
/// Recursive-descent parser for the LaTeX subset that final answers use: numbers, variables, + - * / ^, implicit
/// multiplication, \frac, \sqrt, \binom, trig/log functions (also \sin^2 x), |x|, floor/ceil, factorial, \sum and
/// \prod, subscripts and mixed numbers (918\frac{1}{2}). Depth and work are bounded; failure returns null.
/// </summary>
internal sealed class ExprParser
{
    private const int MaxDepth = 120;

    private static readonly HashSet<string> Functions =
    [
        "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
        "ln", "log", "lg", "exp",
    ];

    private static readonly HashSet<string> NonAtomCommands =
    [
        "cdot", "times", "div", "ast", "rfloor", "rceil", "pm", "mp", "le", "ge", "leq", "geq", "ne", "neq",
        "lt", "gt", "in", "cup", "cap", "to", "approx", "rangle", "}", ",", "ldots", "cdots", "dots",
    ];

    private readonly List<ExprToken> _tokens;
    private readonly Budget _budget;
    private readonly HashSet<string> _boundIndices = [];
    private int _pos;
    private int _depth;
    private int _absDepth;

    private ExprParser(List<ExprToken> tokens, Budget budget)
    {
        _tokens = tokens;
        _budget = budget;
    }

    /// <summary>Parses the whole text as one expression; null when it is not one.</summary>
    public static Expr? TryParse(string text, Budget budget)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        budget.Spend(text.Length);
        var parser = new ExprParser(ExprToken.Tokenize(text), budget);
        try
        {
            var expr = parser.ParseSum();
            return parser.Peek.Kind == ExprTokenKind.End ? expr : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private ExprToken Peek => _tokens[_pos];

    private ExprToken Next()
    {
        _budget.Spend();
        var token = _tokens[_pos];
        if (token.Kind != ExprTokenKind.End) _pos++;
        return token;
    }

    private static FormatException Fail() => new("not an expression");

    private void Expect(char symbol)
    {
        if (!Peek.IsSymbol(symbol)) throw Fail();
        Next();
    }

    private void Enter()
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (++_depth > MaxDepth) throw Fail();
    }

    private Expr ParseSum()
    {
        Enter();
        var left = ParseTerm();
        while (Peek.IsSymbol('+') || Peek.IsSymbol('-'))
        {
            var op = Next().Text[0];
            left = new BinaryExpr(op, left, ParseTerm());
        }
        _depth--;
        return left;
    }

    private Expr ParseTerm()
    {
        var left = ParseUnary();
        while (true)
        {
            var t = Peek;
            if (t.IsSymbol('*') || t.IsCommand("cdot") || t.IsCommand("times") || t.IsCommand("ast"))
            {
                Next();
                left = new BinaryExpr('*', left, ParseUnary());
            }
            else if (t.IsSymbol('/') || t.IsCommand("div"))
            {
                Next();
                left = new BinaryExpr('/', left, ParseUnary());
            }
            else if (StartsAtom(t))
            {
                var right = ParsePower();
                left = IsMixedNumber(left, right, out var mixed) ? mixed : new BinaryExpr('*', left, right);
            }
            else
            {
                return left;
            }
        }
    }

    /// <summary>918\frac{1}{2} is 918 + 1/2, not 918 * 1/2 (as MATH and NeMo-Skills read it).</summary>
    private static bool IsMixedNumber(Expr left, Expr right, out Expr mixed)
    {
        mixed = left;
        if (right is not BinaryExpr { Op: '/', Left: NumberExpr { IsDecimal: false } n, Right: NumberExpr { IsDecimal: false } d }
            || !n.Value.IsInteger || !d.Value.IsInteger || n.Value.Numerator.Sign <= 0 || n.Value.Numerator >= d.Value.Numerator)
            return false;
        switch (left)
        {
            case NumberExpr { IsDecimal: false } whole when whole.Value.IsInteger:
                mixed = new BinaryExpr('+', whole, right);
                return true;
            case NegateExpr { Operand: NumberExpr { IsDecimal: false } whole } when whole.Value.IsInteger:
                mixed = new NegateExpr(new BinaryExpr('+', whole, right));
                return true;
            default:
                return false;
        }
    }

    private bool StartsAtom(ExprToken t) => t.Kind switch
    {
        ExprTokenKind.Number or ExprTokenKind.Letter => true,
        ExprTokenKind.Command => !NonAtomCommands.Contains(t.Text),
        ExprTokenKind.Symbol => t.Text is "(" or "{" || (t.Text == "|" && _absDepth == 0),
        _ => false,
    };

    private Expr ParseUnary()
    {
        Enter();
        Expr result;
        if (Peek.IsSymbol('-'))
        {
            Next();
            result = new NegateExpr(ParseUnary());
        }
        else if (Peek.IsSymbol('+'))
        {
            Next();
            result = ParseUnary();
        }
        else
        {
            result = ParsePower();
        }
        _depth--;
        return result;
    }

    private Expr ParsePower()
    {
        var b = ParsePostfix();
        if (!Peek.IsSymbol('^')) return b;
        Next();
        var exponent = ParseScript();
        Expr result = new BinaryExpr('^', b, exponent);
        while (Peek.IsSymbol('!'))
        {
            Next();
            result = new FunctionExpr("fact", result);
        }
        return result;
    }

    /// <summary>A superscript or subscript: a braced group, a signed script, or a single token (x^23 is x^2 * 3).</summary>
    private Expr ParseScript()
    {
        Enter();
        Expr result;
        if (Peek.IsSymbol('-'))
        {
            Next();
            result = new NegateExpr(ParseScript());
        }
        else if (Peek.IsSymbol('+'))
        {
            Next();
            result = ParseScript();
        }
        else
        {
            result = ParseArgument();
        }
        _depth--;
        return result;
    }

    /// <summary>A macro argument: {group}, or one character/command as in \frac12 or \sqrt3.</summary>
    private Expr ParseArgument()
    {
        var t = Peek;
        if (t.IsSymbol('{'))
        {
            Next();
            var inner = ParseSum();
            Expect('}');
            return inner;
        }
        if (t.Kind == ExprTokenKind.Number && t.Text.Length > 1)
        {
            // Take one digit and leave the rest for the caller: \frac12 = \frac{1}{2}.
            _budget.Spend();
            _tokens[_pos] = new ExprToken(ExprTokenKind.Number, t.Text[1..]);
            return Number(t.Text[..1]);
        }
        return ParseAtom();
    }

    private Expr ParsePostfix()
    {
        var atom = ParseAtom();
        while (true)
        {
            if (Peek.IsSymbol('!'))
            {
                Next();
                atom = new FunctionExpr("fact", atom);
            }
            else if (Peek.IsSymbol('_'))
            {
                Next();
                atom = Subscript(atom, ParseScript());
            }
            else if (Peek.IsSymbol('\''))
            {
                Next();
                atom = atom is VariableExpr v ? v with { Name = v.Name + "'" } : throw Fail();
            }
            else
            {
                return atom;
            }
        }
    }

    private static Expr Subscript(Expr atom, Expr subscript) => atom switch
    {
        VariableExpr { Subscript: null } v => v with { Subscript = subscript },
        // 1112112_3: a numeral in another base.
        NumberExpr { IsDecimal: false } n when subscript is NumberExpr { IsDecimal: false } b && b.Value.IsInteger =>
            FromBase(n, b) ?? throw Fail(),
        _ => throw Fail(),
    };

    private static NumberExpr? FromBase(NumberExpr numeral, NumberExpr radix)
    {
        if (radix.Value.Numerator < 2 || radix.Value.Numerator > 36) return null;
        var b = (int)radix.Value.Numerator;
        var digits = numeral.Value.Numerator.ToString();
        System.Numerics.BigInteger value = 0;
        foreach (var ch in digits)
        {
            var d = ch - '0';
            if (d >= b) return null;
            value = value * b + d;
        }
        return new NumberExpr(BigRational.FromInteger(value), false);
    }

    private static NumberExpr Number(string text) =>
        BigRational.ParseDecimal(text) is { } value ? new NumberExpr(value, text.Contains('.')) : throw Fail();

    private Expr ParseAtom()
    {
        Enter();
        var t = Next();
        Expr result = t.Kind switch
        {
            ExprTokenKind.Number => Number(t.Text),
            ExprTokenKind.Letter => Letter(t.Text),
            ExprTokenKind.Symbol => Group(t.Text),
            ExprTokenKind.Command => Command(t.Text),
            _ => throw Fail(),
        };
        _depth--;
        return result;
    }

    private Expr Letter(string name) => name switch
    {
        _ when _boundIndices.Contains(name) => new VariableExpr(name, null),
        "e" => new ConstantExpr("e"),
        "i" => new ConstantExpr("i"),
        "π" => new ConstantExpr("pi"),
        "∞" => new ConstantExpr("inf"),
        _ => new VariableExpr(name, null),
    };

    private Expr Group(string open)
    {
        switch (open)
        {
            case "(":
            {
                var inner = ParseSum();
                Expect(')');
                return inner;
            }
            case "[":
            {
                var inner = ParseSum();
                Expect(']');
                return inner;
            }
            case "{":
            {
                var inner = ParseSum();
                Expect('}');
                return inner;
            }
            case "|":
            {
                _absDepth++;
                var inner = ParseSum();
                _absDepth--;
                Expect('|');
                return new FunctionExpr("abs", inner);
            }
            default:
                throw Fail();
        }
    }

    private Expr Command(string name)
    {
        switch (name)
        {
            case "frac" or "dfrac" or "tfrac" or "cfrac":
            {
                var numerator = ParseArgument();
                var denominator = ParseArgument();
                return new BinaryExpr('/', numerator, denominator);
            }
            case "sqrt":
            {
                Expr? index = null;
                if (Peek.IsSymbol('['))
                {
                    Next();
                    index = ParseSum();
                    Expect(']');
                }
                return new FunctionExpr("sqrt", ParseArgument(), index);
            }
            case "binom" or "dbinom" or "tbinom":
                return new BinomialExpr(ParseArgument(), ParseArgument());
            case "pi":
                return new ConstantExpr("pi");
            case "infty" or "infinity":
                return new ConstantExpr("inf");
            case "lfloor":
                return Delimited("floor", "rfloor");
            case "lceil":
                return Delimited("ceil", "rceil");
            case "sum" or "prod":
                return Series(name == "prod");
            case "operatorname":
                return Function(ReadRawGroup());
            case "{":
            {
                var inner = ParseSum();
                if (!Peek.IsCommand("}")) throw Fail();
                Next();
                return inner;
            }
            default:
                if (Functions.Contains(name)) return Function(name);
                if (Peek.IsSymbol('{') && name is "overline" or "vec" or "hat" or "bar" or "mathbf" or "widehat"
                        or "overrightarrow" or "tilde" or "boldsymbol" or "mathcal" or "mathbb")
                    return new VariableExpr($"\\{name}{{{ReadRawGroup()}}}", null);
                if (name.Length > 1 && name.All(char.IsAsciiLetter) && !NonAtomCommands.Contains(name))
                    return new VariableExpr("\\" + name, null); // Greek letters and other symbols
                throw Fail();
        }
    }

    private Expr Delimited(string function, string close)
    {
        var inner = ParseSum();
        if (!Peek.IsCommand(close)) throw Fail();
        Next();
        return new FunctionExpr(function, inner);
    }

    private string ReadRawGroup()
    {
        Expect('{');
        var text = new System.Text.StringBuilder();
        var depth = 1;
        while (true)
        {
            var t = Next();
            if (t.Kind == ExprTokenKind.End) throw Fail();
            if (t.IsSymbol('{')) depth++;
            if (t.IsSymbol('}') && --depth == 0) return text.ToString();
            text.Append(t.Kind == ExprTokenKind.Command ? "\\" + t.Text : t.Text);
        }
    }

    private Expr Function(string name)
    {
        if (name == "lg") name = "log";
        if (!Functions.Contains(name)) return new VariableExpr("\\" + name, null);
        Expr? power = null;
        Expr? logBase = null;
        for (var k = 0; k < 2; k++)
        {
            if (Peek.IsSymbol('^') && power is null)
            {
                Next();
                power = ParseScript();
            }
            else if (Peek.IsSymbol('_') && name == "log" && logBase is null)
            {
                Next();
                logBase = ParseScript();
            }
        }
        Expr argument;
        if (Peek.IsSymbol('('))
        {
            argument = ParsePostfix();
        }
        else
        {
            // \sin 2x: the argument is the following implicit product.
            argument = ParsePower();
            while (StartsAtom(Peek) && !(Peek.Kind == ExprTokenKind.Command && Functions.Contains(Peek.Text)))
                argument = new BinaryExpr('*', argument, ParsePower());
        }
        Expr result = new FunctionExpr(name, argument, logBase);
        if (power is not null)
        {
            // \sin^{-1} x is arcsin x; any other power applies to the value.
            result = power is NegateExpr { Operand: NumberExpr { Value.IsInteger: true } one } && one.Value == BigRational.One
                     && name is "sin" or "cos" or "tan"
                ? new FunctionExpr("arc" + name, argument)
                : new BinaryExpr('^', result, power);
        }
        return result;
    }

    private Expr Series(bool isProduct)
    {
        if (!Peek.IsSymbol('_')) throw Fail();
        Next();
        Expect('{');
        var index = Next();
        if (index.Kind != ExprTokenKind.Letter) throw Fail();
        Expect('=');
        var from = ParseSum();
        Expect('}');
        if (!Peek.IsSymbol('^')) throw Fail();
        Next();
        var to = ParseScript();
        var added = _boundIndices.Add(index.Text);
        var body = ParseTerm();
        if (added) _boundIndices.Remove(index.Text);
        return new SeriesExpr(isProduct, index.Text, from, to, body);
    }
}
