using Hpt.Tasks.Verification;
using Xunit.Abstractions;

namespace Hpt.Tasks.Tests.Verification;

/// <summary>Agreement with the outcomes that public checker test suites and issue threads assert.</summary>
public sealed class VerifierAgreementTests(ITestOutputHelper output)
{
    /// <summary>
    /// Default-option cases where this verifier deliberately or knowingly differs from the source, with the reason.
    /// </summary>
    private static readonly Dictionary<string, string> AcceptedDisagreements = new()
    {
        ["hendrycks:math_equivalence_test:test_order:L15"] =
            "MATH's is_equiv is string equality, so a reordered list fails; MATH asks to 'enter all solutions separated "
            + "by commas' in any order, and Math-Verify cases in the same file need lists to be order-free.",
        ["hendrycks:math_equivalence_test:test_decimals:L50"] =
            "same as test_order: '4, .1, 2' and '0.1, 4, 2' are the same set of solutions; only the order differs.",
    };

    private static bool Run(MathVerifier verifier, VerifierCase c) => c.AnswerInput
        ? verifier.CompareAnswers(c.Gold, c.Pred).IsCorrect
        : verifier.Verify(c.Gold, c.Pred).IsCorrect;

    [Fact]
    public void DefaultOptionCasesAgreeAtLeast97PercentAndOnlyAcceptedOnesDisagree()
    {
        var verifier = new MathVerifier();
        var cases = VerifierCase.Load().Where(c => c.DefaultOptions).ToList();
        var disagreements = new List<VerifierCase>();
        foreach (var c in cases)
        {
            if (Run(verifier, c) != c.Equal) disagreements.Add(c);
        }
        foreach (var c in disagreements)
        {
            var r = c.AnswerInput ? verifier.CompareAnswers(c.Gold, c.Pred) : verifier.Verify(c.Gold, c.Pred);
            output.WriteLine($"{c.Id} expected {c.Equal}: gold [{r.GoldAnswer}] pred [{r.PredictedAnswer}] {r.Outcome}");
        }
        var agreement = 1.0 - (double)disagreements.Count / cases.Count;
        output.WriteLine($"agreement {cases.Count - disagreements.Count}/{cases.Count} = {agreement:P2}");
        Assert.True(agreement >= 0.97, $"agreement {agreement:P2}");
        Assert.Empty(disagreements.Where(d => !AcceptedDisagreements.ContainsKey(d.Id)).Select(d => d.Id));
    }

    /// <summary>
    /// Cases that need a non-default option of their source checker (expression-only extraction, other rounding,
    /// non-strict variables, set/relation comparison) are measured too, with the default options; reported, and
    /// held to a lower bar since some contradict the defaults by design.
    /// </summary>
    [Fact]
    public void AllCasesIncludingNonDefaultOptionsAgreeAtLeast90Percent()
    {
        var verifier = new MathVerifier();
        var cases = VerifierCase.Load();
        var wrong = cases.Where(c => Run(verifier, c) != c.Equal).ToList();
        foreach (var c in wrong.Where(c => !c.DefaultOptions))
            output.WriteLine($"{c.Id} expected {c.Equal}: gold [{Short(c.Gold)}] pred [{Short(c.Pred)}]");
        var agreement = 1.0 - (double)wrong.Count / cases.Count;
        output.WriteLine($"agreement on all cases {cases.Count - wrong.Count}/{cases.Count} = {agreement:P2}");
        Assert.True(agreement >= 0.90, $"agreement {agreement:P2}");
    }

    private static string Short(string s) => s.Length <= 120 ? s : s[..60] + " ... " + s[^60..];
}
