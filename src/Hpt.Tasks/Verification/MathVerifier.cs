namespace Hpt.Tasks.Verification;

/// <summary>
/// The math answer verifier (the RL reward): extracts the final answer of a response and of the gold, normalises
/// both, and decides equivalence. Total: never throws, never hangs (work is bounded by <see cref="VerifierOptions"/>).
/// Thread-safe; one instance can serve many threads.
/// </summary>
public sealed class MathVerifier
{
    private readonly VerifierOptions _options;

    public MathVerifier(VerifierOptions? options = null) => _options = options ?? VerifierOptions.Default;

    public VerifierOptions Options => _options;

    /// <summary>Verifies a full response against a gold (bare, boxed, or a whole reference solution).</summary>
    public VerificationResult Verify(string? gold, string? response)
    {
        try
        {
            var goldAnswer = AnswerExtractor.ExtractGold(gold);
            if (goldAnswer is null) return new VerificationResult(VerificationOutcome.NoGold, null, null);
            var predicted = AnswerExtractor.Extract(response, _options.Mode);
            if (predicted is null) return new VerificationResult(VerificationOutcome.NoAnswer, goldAnswer.Text, null);
            var outcome = Compare(goldAnswer.Text, predicted.Text);
            return new VerificationResult(outcome, goldAnswer.Text, predicted.Text, predicted.Method);
        }
        catch (Exception)
        {
            return new VerificationResult(VerificationOutcome.Error, null, null);
        }
    }

    /// <summary>Compares two already-extracted answers (no extraction step).</summary>
    public VerificationResult CompareAnswers(string? goldAnswer, string? predictedAnswer)
    {
        if (string.IsNullOrWhiteSpace(goldAnswer)) return new VerificationResult(VerificationOutcome.NoGold, goldAnswer, predictedAnswer);
        if (string.IsNullOrWhiteSpace(predictedAnswer)) return new VerificationResult(VerificationOutcome.NoAnswer, goldAnswer, predictedAnswer);
        try
        {
            return new VerificationResult(Compare(goldAnswer, predictedAnswer), goldAnswer, predictedAnswer, "given");
        }
        catch (Exception)
        {
            return new VerificationResult(VerificationOutcome.Error, goldAnswer, predictedAnswer);
        }
    }

    /// <summary>The 0/1 reward of a response.</summary>
    public double Reward(string? gold, string? response) => Verify(gold, response).Reward;

    private VerificationOutcome Compare(string gold, string predicted)
    {
        var budget = new Budget(_options.MaxSteps, _options.MaxTime);
        try
        {
            var g = LatexNormalizer.Normalize(gold);
            var p = LatexNormalizer.Normalize(predicted);
            if (g.Replace(" ", "") == p.Replace(" ", "")) return VerificationOutcome.Correct;
            var parser = new AnswerParser(budget);
            var goldValue = parser.Parse(g);
            var predValue = parser.Parse(p);
            var equal = new AnswerComparer(budget, _options.DecimalTolerance).Equal(goldValue, predValue);
            return equal ? VerificationOutcome.Correct : VerificationOutcome.Wrong;
        }
        catch (BudgetExceededException)
        {
            return VerificationOutcome.BudgetExceeded;
        }
        catch (Exception e) when (e is System.Text.RegularExpressions.RegexMatchTimeoutException or InsufficientExecutionStackException)
        {
            return VerificationOutcome.BudgetExceeded;
        }
    }
}
