using Hpt.Tasks.Verification;

namespace Hpt.Tasks.Tests.Verification;

/// <summary>Specific rules the verifier promises, each stated as a pair of gold and response.</summary>
public sealed class VerifierBehaviourTests
{
    private static readonly MathVerifier Verifier = new();

    [Theory]
    [InlineData("\\frac{1}{2}", "\\boxed{\\dfrac{1}{2}}")]
    [InlineData("0.5", "\\boxed{\\frac12}")]
    [InlineData("1000", "\\boxed{1,000}")]
    [InlineData("1000", "\\boxed{1{,}000}")]
    [InlineData("10", "\\boxed{10\\%}")]
    [InlineData("90", "\\boxed{90^\\circ}")]
    [InlineData("5", "\\boxed{x = 5}")]
    [InlineData("025", "\\boxed{25}")]
    [InlineData("\\boxed{204}", "the answer is \\boxed{204}")]
    [InlineData("2\\sqrt{2}", "\\boxed{\\sqrt{8}}")]
    [InlineData("\\pi/2", "\\boxed{\\frac{\\pi}{2}}")]
    [InlineData("(x+1)^2", "\\boxed{x^2+2x+1}")]
    [InlineData("3+4i", "\\boxed{4i+3}")]
    [InlineData("\\{1,2,3\\}", "\\boxed{3,2,1}")]
    [InlineData("[0,1)", "\\boxed{[0, 1)}")]
    [InlineData("1.5\\times10^{3}", "\\boxed{1500}")]
    [InlineData("7\\frac{3}{4}", "\\boxed{7.75}")]
    [InlineData("C", "\\boxed{\\text{(C)}}")]
    [InlineData("42", "<think>maybe \\boxed{41}</think> The answer is \\boxed{42}")]
    [InlineData("42", "Step one.\n#### 42")]
    [InlineData("y=2x+1", "\\boxed{2x - y + 1 = 0}")]
    [InlineData("x \\ge 2", "\\boxed{[2, \\infty)}")]
    public void EquivalentAnswersAreAccepted(string gold, string response) =>
        Assert.True(Verifier.Verify(gold, response).IsCorrect, $"{gold} vs {response}");

    [Theory]
    [InlineData("\\frac{1}{2}", "\\boxed{\\frac{1}{3}}")]
    [InlineData("[0,1)", "\\boxed{(0,1)}")]
    [InlineData("(1,2)", "\\boxed{(2,1)}")]
    [InlineData("1331 and 1728", "\\boxed{1728}")]
    [InlineData("28", "\\boxed{0.28}")]
    [InlineData("5", "\\boxed{5.001}")]
    [InlineData("x^2", "\\boxed{x^3}")]
    [InlineData("3", "\\boxed{3")]
    [InlineData("[2,\\infty)", "\\boxed{x \\ge 2}")]
    [InlineData("7", "the answer is \\boxed{7}. Wait, no: \\boxed{8}")]
    public void DifferentAnswersAreRejected(string gold, string response) =>
        Assert.False(Verifier.Verify(gold, response).IsCorrect, $"{gold} vs {response}");

    [Fact]
    public void StrictModeOnlyCreditsBoxedAnswers()
    {
        var strict = new MathVerifier(new VerifierOptions { Mode = VerifierMode.Strict });
        Assert.True(strict.Verify("12", "so \\boxed{12}").IsCorrect);
        Assert.Equal(VerificationOutcome.NoAnswer, strict.Verify("12", "The final answer is 12.").Outcome);
    }

    [Fact]
    public void ExtractionReportsItsMethod()
    {
        Assert.Equal("boxed", AnswerExtractor.Extract("so \\boxed{3}")!.Method);
        Assert.Equal("final-answer", AnswerExtractor.Extract("Final Answer: The final answer is $3$. I hope it is correct.")!.Method);
        Assert.Equal("####", AnswerExtractor.Extract("3 + 4 = 7\n#### 7")!.Method);
        Assert.Null(AnswerExtractor.Extract("no numbers here at all, none", VerifierMode.Strict));
    }
}
