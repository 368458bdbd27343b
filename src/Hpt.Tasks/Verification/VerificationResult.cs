namespace Hpt.Tasks.Verification;

/// <summary>The verdict on one response, with the answers that were compared.</summary>
public sealed record VerificationResult(
    VerificationOutcome Outcome,
    string? GoldAnswer,
    string? PredictedAnswer,
    string? ExtractionMethod = null)
{
    public bool IsCorrect => Outcome == VerificationOutcome.Correct;

    /// <summary>The 0/1 reward.</summary>
    public double Reward => IsCorrect ? 1.0 : 0.0;
}
