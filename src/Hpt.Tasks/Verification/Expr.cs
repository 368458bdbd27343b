namespace Hpt.Tasks.Verification;

/// <summary>A parsed scalar expression: the small algebra the verifier evaluates (exactly or at sample points).</summary>
internal abstract record Expr;

/// <summary>A literal number; <paramref name="IsDecimal"/> marks a written decimal point (an approximate value).</summary>
internal sealed record NumberExpr(BigRational Value, bool IsDecimal) : Expr;

/// <summary>pi, e, i (imaginary unit) or infinity.</summary>
internal sealed record ConstantExpr(string Name) : Expr;

/// <summary>A free variable; a subscript makes it an indexed family (F_k), evaluated as a function of the index.</summary>
internal sealed record VariableExpr(string Name, Expr? Subscript) : Expr;

internal sealed record NegateExpr(Expr Operand) : Expr;

/// <summary>Binary arithmetic: one of + - * / ^.</summary>
internal sealed record BinaryExpr(char Op, Expr Left, Expr Right) : Expr;

/// <summary>
/// A named function: sin, cos, tan, sec, csc, cot, arcsin, arccos, arctan, sinh, cosh, tanh, ln, log, exp, sqrt,
/// abs, floor, ceil, fact. <paramref name="Extra"/> is the root index of sqrt or the base of log.
/// </summary>
internal sealed record FunctionExpr(string Name, Expr Argument, Expr? Extra = null) : Expr;

internal sealed record BinomialExpr(Expr N, Expr K) : Expr;

/// <summary>\sum or \prod over an integer range; evaluated term by term within the budget.</summary>
internal sealed record SeriesExpr(bool IsProduct, string Index, Expr From, Expr To, Expr Body) : Expr;
