namespace Hpt.Core.Training;

/// <summary>The pre-clip global gradient norm (a training metric) and the verdict.</summary>
public sealed record GradientCheck(double Norm, GradientVerdict Verdict);
