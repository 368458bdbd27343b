using System.Text.Json;
using Hpt.Tasks.Verification;

namespace Hpt.Tasks.Tests.Verification;

/// <summary>
/// The verifier gaps seen on harder MATH cases (issue 16 item 4): units with an exponent, an "or" of inequalities,
/// and `hpt verify` with a "pred" field (mode, cut-off boxes). The public cases of the same kind from
/// shared/data/verifier-cases.jsonl are pinned by id.
/// </summary>
public sealed class VerifierGapTests
{
    private static readonly MathVerifier Verifier = new();
    private static readonly MathVerifier Strict = new(new VerifierOptions { Mode = VerifierMode.Strict });

    [Theory]
    [InlineData("36", "\\boxed{36 \\text{ cm}^2}")]
    [InlineData("36", "\\boxed{36\\text{ cm}^{2}}")]
    [InlineData("36", "\\boxed{36 \\mbox{ cm}^2}")]
    [InlineData("36", "\\boxed{36 \\mathrm{~cm}^2}")]
    [InlineData("36", "\\boxed{36 \\text{ m}^3.}")]
    [InlineData("36 \\text{ cm}^2", "\\boxed{36}")]
    [InlineData("15\\mbox{ cm}^2", "\\boxed{15}")]
    public void Unit_with_an_exponent_is_stripped(string gold, string response) =>
        Assert.True(Strict.Verify(gold, response).IsCorrect, $"{gold} vs {response}: {Strict.Verify(gold, response).Outcome}");

    [Fact]
    public void Unit_with_an_exponent_does_not_hide_a_wrong_number() =>
        Assert.False(Strict.Verify("36", "\\boxed{37 \\text{ cm}^2}").IsCorrect);

    [Theory]
    [InlineData("x \\le -1 \\text{ or } x \\ge 3", "\\boxed{(-\\infty,-1] \\cup [3,\\infty)}")]
    [InlineData("x \\le -1 \\text{ or } x \\ge 3", "\\boxed{[3,\\infty) \\cup (-\\infty,-1]}")]
    [InlineData("x \\le -1 \\text{ or } x \\ge 3", "\\boxed{x \\ge 3 \\text{ or } x \\le -1}")]
    [InlineData("x \\le -1 \\text{ or } x \\ge 3", "\\boxed{x\\leq -1 \\text{ or } x\\geq 3}")]
    [InlineData("x<-1 or x>3", "\\boxed{(-\\infty,-1)\\cup(3,\\infty)}")]
    public void Or_of_inequalities_matches_the_union_of_intervals(string gold, string response) =>
        Assert.True(Strict.Verify(gold, response).IsCorrect, $"{gold} vs {response}");

    [Theory]
    [InlineData("x \\le -1 \\text{ or } x \\ge 3", "\\boxed{(-\\infty,-1) \\cup [3,\\infty)}")] // open end
    [InlineData("x \\le -1 \\text{ or } x \\ge 3", "\\boxed{(-\\infty,-1]}")] // half of it
    [InlineData("x \\le -1 \\text{ or } x \\ge 3", "\\boxed{[-1,3]}")]
    [InlineData("x > 1 \\text{ and } x < 3", "\\boxed{(-\\infty,3) \\cup (1,\\infty)}")] // "and" is no union
    [InlineData("(-\\infty,-1] \\cup [3,\\infty)", "\\boxed{x \\le -1 \\text{ or } x \\ge 3}")] // interval gold: no restating
    public void Or_of_inequalities_rejects_other_sets(string gold, string response) =>
        Assert.False(Strict.Verify(gold, response).IsCorrect, $"{gold} vs {response}");

    /// <summary>Public cases of the same kinds (units with powers, unions, inequality golds against intervals).</summary>
    [Theory]
    [InlineData("mv:test_all:test_latex_notation_math:L247")] // 15\mbox{ cm}^2
    [InlineData("mv:test_all:test_latex_notation_math:L313")] // 125\textnormal{ miles}
    [InlineData("mv:test_all:test_latex_notation_math:L314")] // union of four intervals
    [InlineData("mv:test_numina_cases:test_numina_cases:L24")] // 1 \le |z| \le 3/2 vs a union
    [InlineData("mv:test_all:test_math_extraction_additional_cases:L858")] // x \in \boxed{(2,12) \cup (12,102)}
    public void Public_cases_of_units_and_unions_agree_with_their_source(string id)
    {
        var c = VerifierCase.Load().Single(v => v.Id == id);
        var r = c.AnswerInput ? Verifier.CompareAnswers(c.Gold, c.Pred) : Verifier.Verify(c.Gold, c.Pred);
        Assert.Equal(c.Equal, r.IsCorrect);
    }

    private static JsonElement VerifyLine(string line, VerifierMode mode)
    {
        var output = new StringWriter();
        VerifyJsonl.Run(new StringReader(line), output, new VerifierOptions { Mode = mode });
        return JsonDocument.Parse(output.ToString()).RootElement.Clone();
    }

    [Fact]
    public void Verify_pred_does_not_credit_a_box_cut_off_mid_answer()
    {
        var row = VerifyLine("""{"gold": "5", "pred": "\\boxed{5"}""", VerifierMode.Default);
        Assert.False(row.GetProperty("equal").GetBoolean());
        Assert.Equal("NoAnswer", row.GetProperty("outcome").GetString());
        Assert.True(VerifyLine("""{"gold": "5", "pred": "\\boxed{5}"}""", VerifierMode.Default).GetProperty("equal").GetBoolean());
    }

    [Fact]
    public void Verify_pred_honours_strict_mode()
    {
        const string bare = """{"gold": "5", "pred": "5"}""";
        Assert.True(VerifyLine(bare, VerifierMode.Default).GetProperty("equal").GetBoolean());
        var strict = VerifyLine(bare, VerifierMode.Strict);
        Assert.False(strict.GetProperty("equal").GetBoolean());
        Assert.Equal("NoAnswer", strict.GetProperty("outcome").GetString());
        Assert.True(VerifyLine("""{"gold": "5", "pred": "so \\boxed{5}"}""", VerifierMode.Strict).GetProperty("equal").GetBoolean());
    }
}
