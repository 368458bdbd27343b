namespace Hpt.Tasks.Verification;

/// <summary>Verifier settings; the defaults are the ones measured on the reference cases.</summary>
public sealed record VerifierOptions
{
    public static VerifierOptions Default { get; } = new();

    public VerifierMode Mode { get; init; } = VerifierMode.Default;

    /// <summary>Relative tolerance when a written decimal takes part (1/12 vs 0.0833333); exact otherwise.</summary>
    public double DecimalTolerance { get; init; } = 1e-6;

    /// <summary>Work steps per verification (parsing, evaluation, matching); the deterministic bound.</summary>
    public long MaxSteps { get; init; } = 2_000_000;

    /// <summary>Wall-clock backstop per verification, checked at the same points as the step budget.</summary>
    public TimeSpan MaxTime { get; init; } = TimeSpan.FromSeconds(1);
}
