using System.Numerics;
using System.Runtime.CompilerServices;

namespace Hpt.Tasks.Verification;

/// <summary>
/// Evaluates an expression in complex doubles at one assignment of its free variables (a sample point). Complex
/// arithmetic keeps i, square roots of negatives and logs of negatives meaningful. Undefined values give null.
/// </summary>
internal sealed class NumericEvaluator
{
    private const int MaxSeriesTerms = 2000;

    private readonly Func<string, Complex> _variables;
    private readonly Budget _budget;
    private readonly Dictionary<string, Complex> _bound = [];

    public NumericEvaluator(Func<string, Complex> variables, Budget budget)
    {
        _variables = variables;
        _budget = budget;
    }

    public Complex? Evaluate(Expr expr)
    {
        _budget.Spend();
        RuntimeHelpers.EnsureSufficientExecutionStack();
        return expr switch
        {
            NumberExpr n => new Complex(n.Value.ToDouble(), 0),
            ConstantExpr c => c.Name switch
            {
                "pi" => Math.PI,
                "e" => Math.E,
                "i" => Complex.ImaginaryOne,
                _ => double.PositiveInfinity,
            },
            VariableExpr v => Variable(v),
            NegateExpr neg => Evaluate(neg.Operand) is { } x ? -x : null,
            BinaryExpr b => Binary(b),
            FunctionExpr f => Function(f),
            BinomialExpr bin => Binomial(bin),
            SeriesExpr s => Series(s),
            _ => null,
        };
    }

    private Complex? Variable(VariableExpr v)
    {
        if (v.Subscript is null)
            return _bound.TryGetValue(v.Name, out var bound) ? bound : _variables(v.Name);
        // An indexed family: a fixed pseudo-random function of (name, index), the same on both sides.
        if (Evaluate(v.Subscript) is not { } index || !IsFinite(index)) return null;
        var key = $"{v.Name}_{Math.Round(index.Real, 9)}_{Math.Round(index.Imaginary, 9)}";
        return _variables(key);
    }

    private Complex? Binary(BinaryExpr b)
    {
        if (Evaluate(b.Left) is not { } x || Evaluate(b.Right) is not { } y) return null;
        Complex r = b.Op switch
        {
            '+' => x + y,
            '-' => x - y,
            '*' => x * y,
            '/' => y == Complex.Zero ? double.NaN : x / y,
            '^' => Power(x, y),
            _ => double.NaN,
        };
        if (IsFinite(r)) return r;
        // Infinity in, infinity out (\infty + 1); an overflow of finite values is no value at all, so that
        // 2^{2^{2^{100}}} and 2^{2^{2^{101}}} are never "equal" as two infinities.
        return IsInfinite(r) && (IsInfinite(x) || IsInfinite(y)) ? r : null;
    }

    private static Complex Power(Complex x, Complex y)
    {
        if (y.Imaginary == 0 && y.Real == Math.Round(y.Real) && Math.Abs(y.Real) <= 1_000_000)
        {
            // Integer powers of real bases stay real (Complex.Pow goes through polar form).
            return x.Imaginary == 0 ? new Complex(Math.Pow(x.Real, y.Real), 0) : Complex.Pow(x, y.Real);
        }
        if (x.Imaginary == 0 && x.Real < 0 && y.Imaginary == 0)
        {
            // Real odd roots of negatives: (-8)^(1/3) = -2, as a student means it.
            var inv = 1.0 / y.Real;
            if (Math.Abs(inv - Math.Round(inv)) < 1e-9 && ((long)Math.Round(inv)) % 2 != 0)
                return -Math.Pow(-x.Real, y.Real);
        }
        if (x == Complex.Zero) return y.Real > 0 ? Complex.Zero : double.NaN;
        return Complex.Pow(x, y);
    }

    private Complex? Function(FunctionExpr f)
    {
        if (Evaluate(f.Argument) is not { } x) return null;
        Complex r;
        switch (f.Name)
        {
            case "sqrt":
                if (f.Extra is null)
                {
                    r = x.Imaginary == 0 && x.Real >= 0 ? Math.Sqrt(x.Real) : Complex.Sqrt(x);
                }
                else
                {
                    if (Evaluate(f.Extra) is not { } n || n == Complex.Zero) return null;
                    r = Power(x, 1.0 / n);
                }
                break;
            case "sin": r = Complex.Sin(x); break;
            case "cos": r = Complex.Cos(x); break;
            case "tan": r = Complex.Tan(x); break;
            case "sec": r = 1 / Complex.Cos(x); break;
            case "csc": r = 1 / Complex.Sin(x); break;
            case "cot": r = 1 / Complex.Tan(x); break;
            case "arcsin": r = Complex.Asin(x); break;
            case "arccos": r = Complex.Acos(x); break;
            case "arctan": r = Complex.Atan(x); break;
            case "sinh": r = Complex.Sinh(x); break;
            case "cosh": r = Complex.Cosh(x); break;
            case "tanh": r = Complex.Tanh(x); break;
            case "exp": r = Complex.Exp(x); break;
            case "ln": r = x == Complex.Zero ? double.NaN : Complex.Log(x); break;
            case "log":
                if (x == Complex.Zero) return null;
                if (f.Extra is null)
                {
                    r = Complex.Log10(x);
                }
                else
                {
                    if (Evaluate(f.Extra) is not { } b || b == Complex.Zero || b == Complex.One) return null;
                    r = Complex.Log(x) / Complex.Log(b);
                }
                break;
            case "abs": r = Complex.Abs(x); break;
            case "floor": r = x.Imaginary == 0 ? Math.Floor(x.Real) : double.NaN; break;
            case "ceil": r = x.Imaginary == 0 ? Math.Ceiling(x.Real) : double.NaN; break;
            case "fact":
                if (x.Imaginary != 0 || x.Real < 0 || x.Real != Math.Round(x.Real) || x.Real > 170) return null;
                r = 1;
                for (var k = 2; k <= (int)x.Real; k++) r *= k;
                break;
            default:
                return null;
        }
        return IsFinite(r) ? r : null;
    }

    private Complex? Binomial(BinomialExpr b)
    {
        if (Evaluate(b.N) is not { } n || Evaluate(b.K) is not { } k) return null;
        if (k.Imaginary != 0 || k.Real != Math.Round(k.Real) || k.Real < 0 || k.Real > 1000) return null;
        Complex r = 1;
        for (var j = 0; j < (int)k.Real; j++) r = r * (n - j) / (j + 1);
        return r;
    }

    private Complex? Series(SeriesExpr s)
    {
        if (Evaluate(s.From) is not { } from || Evaluate(s.To) is not { } to) return null;
        if (!IsInteger(from) || !IsInteger(to)) return null;
        var lo = (long)Math.Round(from.Real);
        var hi = (long)Math.Round(to.Real);
        if (hi - lo > MaxSeriesTerms) return null;
        _bound.TryGetValue(s.Index, out var saved);
        var hadSaved = _bound.ContainsKey(s.Index);
        Complex acc = s.IsProduct ? Complex.One : Complex.Zero;
        for (var k = lo; k <= hi; k++)
        {
            _bound[s.Index] = k;
            if (Evaluate(s.Body) is not { } term) return null;
            acc = s.IsProduct ? acc * term : acc + term;
        }
        if (hadSaved) _bound[s.Index] = saved;
        else _bound.Remove(s.Index);
        return acc;
    }

    private static bool IsInteger(Complex z) =>
        z.Imaginary == 0 && Math.Abs(z.Real - Math.Round(z.Real)) < 1e-9 && Math.Abs(z.Real) < 1e12;

    private static bool IsFinite(Complex z) => double.IsFinite(z.Real) && double.IsFinite(z.Imaginary);

    private static bool IsInfinite(Complex z) => double.IsInfinity(z.Real) && z.Imaginary == 0;
}
