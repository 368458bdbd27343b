using System.Numerics;
using System.Runtime.CompilerServices;

namespace Hpt.Tasks.Verification;

/// <summary>
/// Gold-directed equivalence of two parsed answers. Layers, cheapest first: exact rationals (big integers), then a
/// relative tolerance only where a written decimal takes part, then evaluation at sample points for expressions
/// with variables or irrationals; structures compare element-wise (tuples, intervals and ratios in order with
/// their brackets, sets and lists in any order, matrices by cell); equations up to a non-zero factor; an
/// inequality gold may be answered by an interval, not the reverse (that would let a model restate the question).
/// </summary>
internal sealed class AnswerComparer
{
    private const double ExactTolerance = 1e-9;
    private readonly Budget _budget;
    private readonly double _decimalTolerance;

    public AnswerComparer(Budget budget, double decimalTolerance)
    {
        _budget = budget;
        _decimalTolerance = decimalTolerance;
    }

    public bool Equal(AnswerValue gold, AnswerValue pred)
    {
        _budget.Spend();
        RuntimeHelpers.EnsureSufficientExecutionStack();
        if (gold is DisjunctionAnswer gd) return DisjunctionEqual(gd, pred);
        // A disjunction answering a list of conditions is compared as that list.
        if (pred is DisjunctionAnswer pd) return Equal(gold, new SetAnswer(pd.Parts));
        // Single-element lists are the element.
        if (gold is SetAnswer { Items.Count: 1 } g1 && pred is not SetAnswer) return Equal(g1.Items[0], pred);
        if (pred is SetAnswer { Items.Count: 1 } p1 && gold is not SetAnswer) return Equal(gold, p1.Items[0]);

        if (gold is RelationAnswer gr && pred is RelationAnswer pr) return RelationsEqual(gr, pr);
        if (gold is RelationAnswer gRel)
        {
            var unwrapped = AnswerParser.UnwrapAssignment(gRel);
            if (!ReferenceEquals(unwrapped, gRel)) return Equal(unwrapped, pred);
            if (InequalityIntervals.ToIntervals(gRel, _budget) is { } goldIntervals)
                return pred switch
                {
                    TupleAnswer t => IntervalListsEqual(goldIntervals, [t]),
                    UnionAnswer u => IntervalListsEqual(goldIntervals, u.Parts),
                    _ => false,
                };
            return false;
        }
        if (pred is RelationAnswer pRel)
        {
            var unwrapped = AnswerParser.UnwrapAssignment(pRel);
            return !ReferenceEquals(unwrapped, pRel) && Equal(gold, unwrapped);
        }

        return (gold, pred) switch
        {
            (TextAnswer a, TextAnswer b) => TextEqual(a.Text, b.Text),
            (TextAnswer a, ScalarAnswer b) => TextEqual(a.Text, b.Text),
            (ScalarAnswer a, TextAnswer b) => TextEqual(a.Text, b.Text),
            (ScalarAnswer a, ScalarAnswer b) => TextEqual(a.Text, b.Text) || ScalarsEqual(a.Expr, b.Expr),
            (TupleAnswer a, TupleAnswer b) => a.Open == b.Open && a.Close == b.Close && Ordered(a.Items, b.Items),
            (TupleAnswer a, SetAnswer b) => a.Open != ':' && Ordered(a.Items, b.Items),
            (SetAnswer a, TupleAnswer b) => b.Open != ':' && Ordered(a.Items, b.Items),
            (SetAnswer a, SetAnswer b) => Unordered(a.Items, b.Items),
            // As sets: {15 39/40, 639/40} (one value written two ways) is the single answer 639/40.
            (SetAnswer a, ScalarAnswer or TextAnswer) => Unordered(a.Items, [pred]),
            (ScalarAnswer or TextAnswer, SetAnswer b) => Unordered([gold], b.Items),
            (UnionAnswer a, UnionAnswer b) => IntervalListsEqual(a.Parts, b.Parts),
            (MatrixAnswer a, MatrixAnswer b) => MatricesEqual(a, b),
            (RecordAnswer a, RecordAnswer b) => RecordsEqual(a, b),
            (RecordAnswer a, TupleAnswer b) => Ordered(a.Fields.Select(f => f.Value).ToList(), b.Items),
            (TupleAnswer a, RecordAnswer b) => Ordered(a.Items, b.Fields.Select(f => f.Value).ToList()),
            (RecordAnswer a, SetAnswer b) => Unordered(a.Fields.Select(f => f.Value).ToList(), b.Items),
            (SetAnswer a, RecordAnswer b) => Unordered(a.Items, b.Fields.Select(f => f.Value).ToList()),
            _ => false,
        };
    }

    private static bool TextEqual(string a, string b)
    {
        static string Key(string s) => new(s.Where(c => !char.IsWhiteSpace(c) && c != '{' && c != '}').ToArray());
        var ka = Key(a);
        var kb = Key(b);
        if (ka == kb) return true;
        // Words compare without case ("Even" = "even"); single letters keep it (x is not X).
        return ka.Length > 1 && string.Equals(ka, kb, StringComparison.OrdinalIgnoreCase) && ka.Any(char.IsLetter)
               && ka.Count(char.IsLetter) > 1;
    }

    private bool Ordered(IReadOnlyList<AnswerValue> a, IReadOnlyList<AnswerValue> b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
            if (!Equal(a[i], b[i])) return false;
        return true;
    }

    /// <summary>
    /// Set equality, all-of in both directions: every gold item is answered and every answer is in the gold (so
    /// "1728" does not pass for "1331 and 1728"); a repeated answer is not an extra one.
    /// </summary>
    private bool Unordered(IReadOnlyList<AnswerValue> a, IReadOnlyList<AnswerValue> b)
    {
        if (a.Count == 0 || b.Count == 0) return a.Count == b.Count;
        return a.All(x => b.Any(y => Equal(x, y))) && b.All(y => a.Any(x => Equal(x, y)));
    }

    /// <summary>
    /// An "or" of inequalities as gold: answered by the same union of intervals (written as intervals, a union, or
    /// again as an "or" of inequalities in any order). Like a single inequality gold, it may be answered by intervals;
    /// an interval gold is not answered by inequalities. Parts that are no intervals compare as a list.
    /// </summary>
    private bool DisjunctionEqual(DisjunctionAnswer gold, AnswerValue pred)
    {
        if (Intervals(gold) is { } goldIntervals)
        {
            var predIntervals = pred switch
            {
                TupleAnswer t => [t],
                UnionAnswer u => u.Parts,
                DisjunctionAnswer d => Intervals(d),
                RelationAnswer r => InequalityIntervals.ToIntervals(r, _budget),
                _ => null,
            };
            if (predIntervals is not null) return IntervalListsEqual(goldIntervals, predIntervals);
        }
        return Equal(new SetAnswer(gold.Parts), pred is DisjunctionAnswer p ? new SetAnswer(p.Parts) : pred);
    }

    private IReadOnlyList<TupleAnswer>? Intervals(DisjunctionAnswer d)
    {
        var all = new List<TupleAnswer>();
        foreach (var part in d.Parts)
        {
            if (InequalityIntervals.ToIntervals(part, _budget) is not { } intervals) return null;
            all.AddRange(intervals);
        }
        return all;
    }

    private bool IntervalListsEqual(IReadOnlyList<TupleAnswer> a, IReadOnlyList<TupleAnswer> b) =>
        Unordered(a.Cast<AnswerValue>().ToList(), b.Cast<AnswerValue>().ToList());

    private bool MatricesEqual(MatrixAnswer a, MatrixAnswer b)
    {
        if (a.Rows.Count != b.Rows.Count) return false;
        for (var i = 0; i < a.Rows.Count; i++)
            if (!Ordered(a.Rows[i], b.Rows[i])) return false;
        return true;
    }

    private bool RecordsEqual(RecordAnswer a, RecordAnswer b)
    {
        if (a.Fields.Count != b.Fields.Count) return false;
        var byKey = b.Fields.ToDictionary(f => f.Key, f => f.Value);
        if (a.Fields.All(f => byKey.ContainsKey(f.Key)))
            return a.Fields.All(f => Equal(f.Value, byKey[f.Key]));
        return Ordered(a.Fields.Select(f => f.Value).ToList(), b.Fields.Select(f => f.Value).ToList());
    }

    private bool RelationsEqual(RelationAnswer a, RelationAnswer b)
    {
        if (a.IsEquation && b.IsEquation)
        {
            // Same left side (also in chains "x = 5+5+1 = 11"): compare the final values.
            if (AnswerParser.Canonical(a.SideTexts[0]) == AnswerParser.Canonical(b.SideTexts[0]))
                return Equal(a.Sides[^1], b.Sides[^1]);
            if (a.Sides.Count == 2 && b.Sides.Count == 2 && a.Sides.All(s => s is ScalarAnswer) && b.Sides.All(s => s is ScalarAnswer))
                return EquationsEqual(a, b);
            return false;
        }
        if (InequalityIntervals.ToIntervals(a, _budget) is { } ia && InequalityIntervals.ToIntervals(b, _budget) is { } ib)
            return IntervalListsEqual(ia, ib);
        if (a.Ops.Count != b.Ops.Count) return false;
        if (a.Ops.SequenceEqual(b.Ops) && Ordered(a.Sides, b.Sides)) return true;
        var flipped = b.Ops.Reverse().Select(InequalityIntervals.Flip).ToList();
        return a.Ops.SequenceEqual(flipped) && Ordered(a.Sides, b.Sides.Reverse().ToList());
    }

    /// <summary>l1 = r1 and l2 = r2 are the same equation when (l1 - r1) / (l2 - r2) is one non-zero constant.</summary>
    private bool EquationsEqual(RelationAnswer a, RelationAnswer b)
    {
        var da = new BinaryExpr('-', ((ScalarAnswer)a.Sides[0]).Expr, ((ScalarAnswer)a.Sides[1]).Expr);
        var db = new BinaryExpr('-', ((ScalarAnswer)b.Sides[0]).Expr, ((ScalarAnswer)b.Sides[1]).Expr);
        Complex? ratio = null;
        var usable = 0;
        for (var p = 0; p < SamplePoints.Count; p++)
        {
            var point = p;
            var eval = new NumericEvaluator(name => SamplePoints.Value(name, point), _budget);
            if (eval.Evaluate(da) is not { } x || eval.Evaluate(db) is not { } y) continue;
            if (Complex.Abs(x) < 1e-12 && Complex.Abs(y) < 1e-12) continue;
            if (Complex.Abs(y) < 1e-12 || Complex.Abs(x) < 1e-12) return false;
            var r = x / y;
            if (ratio is { } r0 && Complex.Abs(r - r0) > 1e-7 * Complex.Abs(r0)) return false;
            ratio = r;
            usable++;
        }
        return usable >= 1;
    }

    public bool ScalarsEqual(Expr a, Expr b)
    {
        var ea = ExactEvaluator.Evaluate(a, _budget);
        var eb = ExactEvaluator.Evaluate(b, _budget);
        if (ea is { } x && eb is { } y)
        {
            if (!x.HasDecimal && !y.HasDecimal) return x.Value == y.Value;
            return Close(x.Value.ToDouble(), y.Value.ToDouble(), _decimalTolerance);
        }
        var tolerance = HasDecimal(a) || HasDecimal(b) ? _decimalTolerance : ExactTolerance;
        var agreed = 0;
        var needed = HasVariables(a) || HasVariables(b) ? 2 : 1;
        for (var p = 0; p < SamplePoints.Count; p++)
        {
            var point = p;
            var eval = new NumericEvaluator(name => SamplePoints.Value(name, point), _budget);
            if (eval.Evaluate(a) is not { } va || eval.Evaluate(b) is not { } vb) continue;
            if (!Close(va, vb, tolerance)) return false;
            agreed++;
            if (needed == 1) break;
        }
        return agreed >= needed;
    }

    private static bool Close(double x, double y, double tolerance) => Close(new Complex(x, 0), new Complex(y, 0), tolerance);

    private static bool Close(Complex x, Complex y, double tolerance)
    {
        if (double.IsInfinity(x.Real) || double.IsInfinity(y.Real)) return x.Real == y.Real;
        var diff = Complex.Abs(x - y);
        var scale = Math.Max(Complex.Abs(x), Complex.Abs(y));
        // The absolute floor only absorbs rounding noise around zero (sin^2 + cos^2 - 1).
        return diff <= tolerance * scale || diff < 1e-14;
    }

    private static bool HasDecimal(Expr e) => RuntimeHelpers.TryEnsureSufficientExecutionStack() ? e switch
    {
        NumberExpr n => n.IsDecimal,
        NegateExpr n => HasDecimal(n.Operand),
        BinaryExpr b => HasDecimal(b.Left) || HasDecimal(b.Right),
        FunctionExpr f => HasDecimal(f.Argument) || (f.Extra is not null && HasDecimal(f.Extra)),
        _ => false,
    } : throw new BudgetExceededException();

    private static bool HasVariables(Expr e) => RuntimeHelpers.TryEnsureSufficientExecutionStack() ? e switch
    {
        VariableExpr => true,
        NegateExpr n => HasVariables(n.Operand),
        BinaryExpr b => HasVariables(b.Left) || HasVariables(b.Right),
        FunctionExpr f => HasVariables(f.Argument) || (f.Extra is not null && HasVariables(f.Extra)),
        BinomialExpr b => HasVariables(b.N) || HasVariables(b.K),
        SeriesExpr => true,
        _ => false,
    } : throw new BudgetExceededException();
}
