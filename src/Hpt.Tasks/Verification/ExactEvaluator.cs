using System.Numerics;
using System.Runtime.CompilerServices;

namespace Hpt.Tasks.Verification;

/// <summary>
/// Evaluates variable-free rational expressions exactly (big integers), so 1/2^99 and 1/2^98 stay different.
/// Returns null for anything irrational, symbolic or too large; the numeric path then takes over.
/// </summary>
internal static class ExactEvaluator
{
    private const int MaxFactorial = 3000;

    /// <summary>The exact value, and whether a written decimal took part (which makes the value approximate).</summary>
    public static (BigRational Value, bool HasDecimal)? Evaluate(Expr expr, Budget budget)
    {
        var hasDecimal = false;
        var value = Eval(expr, budget, ref hasDecimal);
        return value is { } v ? (v, hasDecimal) : null;
    }

    private static BigRational? Eval(Expr expr, Budget budget, ref bool hasDecimal)
    {
        budget.Spend();
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (expr)
        {
            case NumberExpr n:
                hasDecimal |= n.IsDecimal;
                return n.Value;
            case NegateExpr neg:
                return Eval(neg.Operand, budget, ref hasDecimal)?.Negate();
            case BinaryExpr b:
            {
                if (Eval(b.Left, budget, ref hasDecimal) is not { } x) return null;
                if (Eval(b.Right, budget, ref hasDecimal) is not { } y) return null;
                budget.Spend(1 + (x.Numerator.GetBitLength() + y.Numerator.GetBitLength()) / 64);
                return b.Op switch
                {
                    '+' => x + y,
                    '-' => x - y,
                    '*' => x * y,
                    '/' => x / y,
                    '^' when y.IsInteger => PowerWithBudget(x, y.Numerator, budget),
                    '^' => RationalRoot(x, y),
                    _ => null,
                };
            }
            case FunctionExpr { Name: "fact" } f:
            {
                if (Eval(f.Argument, budget, ref hasDecimal) is not { IsInteger: true } x) return null;
                if (x.Numerator.Sign < 0 || x.Numerator > MaxFactorial) return null;
                var n = (int)x.Numerator;
                budget.Spend(n);
                var acc = BigInteger.One;
                for (var k = 2; k <= n; k++) acc *= k;
                return BigRational.FromInteger(acc);
            }
            case FunctionExpr { Name: "sqrt", Extra: null } f:
                return Eval(f.Argument, budget, ref hasDecimal) is { } s ? RationalRoot(s, BigRational.Create(1, 2)!.Value) : null;
            case FunctionExpr { Name: "abs" } f:
                return Eval(f.Argument, budget, ref hasDecimal) is { } a ? (a.Numerator.Sign < 0 ? a.Negate() : a) : null;
            case BinomialExpr bin:
            {
                if (Eval(bin.N, budget, ref hasDecimal) is not { IsInteger: true } n) return null;
                if (Eval(bin.K, budget, ref hasDecimal) is not { IsInteger: true } k) return null;
                if (k.Numerator.Sign < 0 || k.Numerator > MaxFactorial) return null;
                var acc = BigRational.One;
                for (var j = 0; j < (int)k.Numerator; j++)
                {
                    budget.Spend();
                    var step = BigRational.Create(n.Numerator - j, j + 1);
                    if (step is null || (acc * step.Value) is not { } next) return null;
                    acc = next;
                }
                return acc;
            }
            default:
                return null;
        }
    }

    private static BigRational? PowerWithBudget(BigRational x, BigInteger exponent, Budget budget)
    {
        var bits = Math.Max(x.Numerator.GetBitLength(), x.Denominator.GetBitLength());
        if (bits > 1 && BigInteger.Abs(exponent) * bits > BigRational.MaxBits) return null;
        budget.Spend(1 + (long)(bits * (double)BigInteger.Min(BigInteger.Abs(exponent), 1_000_000) / 4096));
        return x.Pow(exponent);
    }

    /// <summary>x^(p/q) when it is rational (4^(1/2) = 2, 8^(2/3) = 4); otherwise null.</summary>
    private static BigRational? RationalRoot(BigRational x, BigRational exponent)
    {
        if (exponent.Denominator > 64 || x.Numerator.Sign < 0) return null;
        var q = (int)exponent.Denominator;
        if (IntegerRoot(x.Numerator, q) is not { } n || IntegerRoot(x.Denominator, q) is not { } d) return null;
        return BigRational.Create(n, d)?.Pow(exponent.Numerator);
    }

    private static BigInteger? IntegerRoot(BigInteger value, int q)
    {
        if (value.IsZero || value.IsOne) return value;
        if (value.GetBitLength() > 52) return null; // the double guess below is exact only this far
        var guess = new BigInteger(Math.Round(Math.Exp(BigInteger.Log(value) / q)));
        for (var delta = -1; delta <= 1; delta++)
        {
            var candidate = guess + delta;
            if (candidate.Sign > 0 && BigInteger.Pow(candidate, q) == value) return candidate;
        }
        return null;
    }
}
