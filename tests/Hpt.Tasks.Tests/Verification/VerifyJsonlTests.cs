using System.Text.Json;
using Hpt.Tasks.Verification;

namespace Hpt.Tasks.Tests.Verification;

public sealed class VerifyJsonlTests
{
    private static List<JsonElement> Run(string input, VerifierOptions? options = null)
    {
        var output = new StringWriter();
        VerifyJsonl.Run(new StringReader(input), output, options);
        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    [Fact]
    public void WritesOneResultPerLineInOrderWithPredOrResponse()
    {
        var rows = Run("""
            {"gold": "\\frac{1}{2}", "pred": "0.5"}
            {"gold": "3", "response": "so the answer is \\boxed{4}"}
            {"gold": 27.0, "response": "The final answer is 27. I hope it is correct."}
            """);
        Assert.Equal(3, rows.Count);
        Assert.True(rows[0].GetProperty("equal").GetBoolean());
        Assert.False(rows[1].GetProperty("equal").GetBoolean());
        Assert.Equal("4", rows[1].GetProperty("pred_answer").GetString());
        Assert.True(rows[2].GetProperty("equal").GetBoolean());
        Assert.Equal([1, 2, 3], rows.Select(r => r.GetProperty("line").GetInt32()));
    }

    [Fact]
    public void Pred_wrapped_in_boxed_is_unwrapped_like_the_gold()
    {
        var rows = Run("""
            {"gold": "\\boxed{\\frac{1}{2}}", "pred": "\\boxed{0.5}"}
            """);
        Assert.True(rows[0].GetProperty("equal").GetBoolean());
        Assert.Equal("0.5", rows[0].GetProperty("pred_answer").GetString());
    }

    [Fact]
    public void MalformedLineGivesAnErrorNamingItsLineAndTheRestStillRun()
    {
        var rows = Run("{\"gold\": \"1\", \"pred\": \"1\"}\n{not json\n{\"pred\": \"2\"}\n{\"gold\": \"2\", \"pred\": \"2\"}\n");
        Assert.Equal(4, rows.Count);
        Assert.Contains("line 2", rows[1].GetProperty("error").GetString());
        Assert.Contains("line 3", rows[2].GetProperty("error").GetString());
        Assert.False(rows[1].GetProperty("equal").GetBoolean());
        Assert.True(rows[3].GetProperty("equal").GetBoolean());
    }

    [Fact]
    public void StrictModeIgnoresAnUnboxedFinalAnswer()
    {
        const string line = "{\"gold\": \"5\", \"response\": \"The final answer is 5. I hope it is correct.\"}";
        Assert.True(Run(line)[0].GetProperty("equal").GetBoolean());
        var strict = Run(line, new VerifierOptions { Mode = VerifierMode.Strict })[0];
        Assert.False(strict.GetProperty("equal").GetBoolean());
        Assert.Equal("NoAnswer", strict.GetProperty("outcome").GetString());
    }
}
