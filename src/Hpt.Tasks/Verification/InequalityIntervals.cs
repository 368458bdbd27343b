namespace Hpt.Tasks.Verification;

/// <summary>
/// Reads a one-variable inequality as intervals: "x \ge 2" is [2, \infty), "-793 < a < 10" is (-793, 10),
/// "1 \le |z| \le 3/2" is [-3/2, -1] \cup [1, 3/2]. Anything else gives null.
/// </summary>
internal static class InequalityIntervals
{
    private static readonly ScalarAnswer PlusInfinity = new(new ConstantExpr("inf"), "\\infty");
    private static readonly ScalarAnswer MinusInfinity = new(new NegateExpr(new ConstantExpr("inf")), "-\\infty");

    public static string Flip(string op) => op switch
    {
        "<" => ">",
        ">" => "<",
        "\\le" => "\\ge",
        "\\ge" => "\\le",
        _ => op,
    };

    private static bool IsLess(string op) => op is "<" or "\\le";
    private static bool IsGreater(string op) => op is ">" or "\\ge";
    private static bool IsStrict(string op) => op is "<" or ">";

    public static IReadOnlyList<TupleAnswer>? ToIntervals(RelationAnswer r, Budget budget)
    {
        if (r.Ops.Any(op => !IsLess(op) && !IsGreater(op))) return null;
        if (r.Sides.Any(s => s is not ScalarAnswer)) return null;
        var sides = r.Sides.Cast<ScalarAnswer>().ToList();
        var constant = sides.Select(s => ExactEvaluator.Evaluate(s.Expr, budget) is not null || IsConstant(s.Expr)).ToList();
        if (sides.Count == 2)
        {
            // Put the variable on the left: 5 \ge x is x \le 5.
            var (variable, op, bound) = constant[0] && !constant[1]
                ? (sides[1], Flip(r.Ops[0]), sides[0])
                : !constant[0] && constant[1] ? (sides[0], r.Ops[0], sides[1]) : (null, "", null);
            if (variable is null || bound is null) return null;
            if (variable.Expr is NegateExpr neg)
            {
                // -x > -1 is x < 1.
                variable = new ScalarAnswer(neg.Operand, variable.Text);
                bound = new ScalarAnswer(new NegateExpr(bound.Expr), "-(" + bound.Text + ")");
                op = Flip(op);
            }
            return IsLess(op)
                ? Build(variable, MinusInfinity, false, bound, !IsStrict(op))
                : Build(variable, bound, !IsStrict(op), PlusInfinity, false);
        }
        if (sides.Count == 3 && constant[0] && !constant[1] && constant[2])
        {
            var (op1, op2) = (r.Ops[0], r.Ops[1]);
            if (IsLess(op1) && IsLess(op2)) return Build(sides[1], sides[0], !IsStrict(op1), sides[2], !IsStrict(op2));
            if (IsGreater(op1) && IsGreater(op2)) return Build(sides[1], sides[2], !IsStrict(op2), sides[0], !IsStrict(op1));
        }
        return null;
    }

    private static bool IsConstant(Expr e) => System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack() ? e switch
    {
        NumberExpr or ConstantExpr => true,
        VariableExpr => false,
        NegateExpr n => IsConstant(n.Operand),
        BinaryExpr b => IsConstant(b.Left) && IsConstant(b.Right),
        FunctionExpr f => IsConstant(f.Argument) && (f.Extra is null || IsConstant(f.Extra)),
        BinomialExpr b => IsConstant(b.N) && IsConstant(b.K),
        _ => false,
    } : throw new BudgetExceededException();

    private static IReadOnlyList<TupleAnswer> Build(ScalarAnswer variable, ScalarAnswer lo, bool loClosed, ScalarAnswer hi, bool hiClosed)
    {
        var interval = new TupleAnswer(loClosed ? '[' : '(', hiClosed ? ']' : ')', [lo, hi]);
        if (variable.Expr is not FunctionExpr { Name: "abs" } || lo.Expr is NegateExpr { Operand: ConstantExpr })
            return [interval];
        // a <= |v| <= b is v in [-b, -a] or [a, b].
        var negHi = new ScalarAnswer(new NegateExpr(hi.Expr), "-" + hi.Text);
        var negLo = new ScalarAnswer(new NegateExpr(lo.Expr), "-" + lo.Text);
        return [new TupleAnswer(hiClosed ? '[' : '(', loClosed ? ']' : ')', [negHi, negLo]), interval];
    }
}
