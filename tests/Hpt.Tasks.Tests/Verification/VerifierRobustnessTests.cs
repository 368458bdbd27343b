using System.Text;
using Hpt.Tasks.Verification;

namespace Hpt.Tasks.Tests.Verification;

/// <summary>
/// Pathological inputs return a verdict and never throw (reference checkers hang or crash here). The bound under test
/// is the verifier's deterministic step budget: the wall-clock backstop is switched off, so a verdict proves the work
/// is bounded on any machine, loaded or not. A generous guard turns a regression (an unbounded loop) into a failure
/// instead of a stalled test run; it is not a speed assertion.
/// </summary>
public sealed class VerifierRobustnessTests
{
    private static readonly VerifierOptions StepBudgetOnly = VerifierOptions.Default with { MaxTime = TimeSpan.FromDays(1) };
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private static VerificationResult VerifyWithinGuard(string? gold, string response)
    {
        var verification = Task.Run(() => new MathVerifier(StepBudgetOnly).Verify(gold, response));
        Assert.True(verification.Wait(HangGuard), $"no verdict within {HangGuard}: the step budget does not bound this input");
        return verification.Result;
    }

    public static TheoryData<string, string, string> PathologicalInputs()
    {
        var data = new TheoryData<string, string, string>
        {
            { "deep-braces", "1", "\\boxed{" + new string('{', 100_000) + "1" + new string('}', 100_000) + "}" },
            { "deep-parentheses", "1", "\\boxed{" + new string('(', 50_000) + "1" + new string(')', 50_000) + "}" },
            { "unbalanced-braces", "1", "\\boxed{" + new string('{', 200_000) },
            { "huge-exponent", "2^{2^{2^{100}}}", "\\boxed{2^{2^{2^{101}}}}" },
            { "huge-power-of-ten", "10^{1000000000}", "\\boxed{10^{1000000001}}" },
            { "towering-factorial", "1", "\\boxed{((((9!)!)!)!)!}" },
            { "giant-series", "1", "\\boxed{\\sum_{k=1}^{10^{12}} k}" },
            { "long-sum", "100000", "\\boxed{" + string.Join("+", Enumerable.Repeat("1", 100_000)) + "}" },
            { "many-boxes", "1", string.Concat(Enumerable.Repeat("\\boxed{1} ", 100_000)) },
            { "final-answer-bait", "1", string.Concat(Enumerable.Repeat("final answer final answer is is ", 30_000)) },
            { "dollar-soup", "1", string.Concat(Enumerable.Repeat("$ x $$ \\( \\[ ", 60_000)) },
            { "long-number", "1", "\\boxed{" + new string('9', 300_000) + "}" },
            { "many-variables", "1", "\\boxed{" + string.Join("", Enumerable.Range(0, 20_000).Select(i => (char)('a' + i % 26))) + "}" },
            { "nested-fractions", "1", "\\boxed{" + string.Concat(Enumerable.Repeat("\\frac{1}{", 5_000)) + "2" + new string('}', 5_000) + "}" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(PathologicalInputs))]
    public void Pathological_input_gets_a_verdict_within_the_step_budget(string name, string gold, string response)
    {
        var result = VerifyWithinGuard(gold, response);
        Assert.NotEqual(VerificationOutcome.Error, result.Outcome);
        if (name.StartsWith("huge")) Assert.False(result.IsCorrect, $"{name}: overflowing values must not compare equal");
    }

    [Fact]
    public void One_megabyte_response_with_a_final_box_is_graded_correctly_within_the_step_budget()
    {
        var sb = new StringBuilder();
        var random = new Random(7);
        while (sb.Length < 1_000_000)
            sb.Append("We compute $x_").Append(random.Next(100)).Append(" = ").Append(random.Next(1000)).Append("$ and continue. ");
        sb.Append("So the answer is \\boxed{42}.");
        var result = VerifyWithinGuard("42", sb.ToString());
        Assert.True(result.IsCorrect);
    }

    [Fact]
    public void NullAndEmptyInputsAreNotCorrectAndDoNotThrow()
    {
        var verifier = new MathVerifier();
        Assert.Equal(VerificationOutcome.NoGold, verifier.Verify(null, "\\boxed{1}").Outcome);
        Assert.Equal(VerificationOutcome.NoAnswer, verifier.Verify("1", null).Outcome);
        Assert.Equal(VerificationOutcome.NoAnswer, verifier.Verify("1", "").Outcome);
    }

    [Fact]
    public void HugeExponentsThatDifferByOneAreNotEqual()
    {
        var verifier = new MathVerifier();
        Assert.False(verifier.Verify("\\frac{1}{2^{99}}", "\\boxed{\\frac{1}{2^{98}}}").IsCorrect);
        Assert.False(verifier.Verify("\\frac{1}{2004!}", "\\boxed{\\frac{1}{2006!}}").IsCorrect);
        Assert.True(verifier.Verify("\\frac{1}{2004!}", "\\boxed{\\frac{1}{2004!}}").IsCorrect);
    }
}
