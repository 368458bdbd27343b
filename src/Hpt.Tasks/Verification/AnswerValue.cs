namespace Hpt.Tasks.Verification;

/// <summary>The structured form of one final answer, compared by <see cref="AnswerComparer"/>.</summary>
internal abstract record AnswerValue;

/// <summary>A single expression; <paramref name="Text"/> is its normalised source (for cheap string equality).</summary>
internal sealed record ScalarAnswer(Expr Expr, string Text) : AnswerValue;

/// <summary>Words that are not maths ("odd", "The midpoints form a regular hexagon"); compared case-insensitively.</summary>
internal sealed record TextAnswer(string Text) : AnswerValue;

/// <summary>
/// A bracketed sequence: a tuple or point "(1,2)", an interval "[0,1)" (the brackets are kept, so open and closed
/// ends differ) or a ratio "7:32" (Open = Close = ':').
/// </summary>
internal sealed record TupleAnswer(char Open, char Close, IReadOnlyList<AnswerValue> Items) : AnswerValue;

/// <summary>
/// Several answers: an explicit set \{1,2\} or a bare list "1, 2 and 3". Compared without regard to order, as
/// "enter all solutions separated by commas" asks.
/// </summary>
internal sealed record SetAnswer(IReadOnlyList<AnswerValue> Items) : AnswerValue;

/// <summary>A union of intervals joined by \cup.</summary>
internal sealed record UnionAnswer(IReadOnlyList<TupleAnswer> Parts) : AnswerValue;

/// <summary>Inequalities joined by "or" ("x \le -1 or x \ge 3"): true where any part holds.</summary>
internal sealed record DisjunctionAnswer(IReadOnlyList<RelationAnswer> Parts) : AnswerValue;

internal sealed record MatrixAnswer(IReadOnlyList<IReadOnlyList<AnswerValue>> Rows) : AnswerValue;

/// <summary>
/// An equation, inequality or chain: Sides[0] Ops[0] Sides[1] ...; Ops are "=", "<", ">", "\le", "\ge", "\ne".
/// <paramref name="SideTexts"/> are the normalised sources, used to match left-hand sides by name.
/// </summary>
internal sealed record RelationAnswer(IReadOnlyList<string> Ops, IReadOnlyList<AnswerValue> Sides, IReadOnlyList<string> SideTexts)
    : AnswerValue
{
    public bool IsEquation => Ops.All(op => op == "=");
}

/// <summary>Named values "p = 5, q = 2"; compared by name against another record, else by order.</summary>
internal sealed record RecordAnswer(IReadOnlyList<(string Key, AnswerValue Value)> Fields) : AnswerValue;
