using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hpt.Tasks.Verification;

/// <summary>Totals of one <see cref="VerifyJsonl"/> run.</summary>
public sealed record VerifyJsonlSummary(int Lines, int Correct, int Errors);

/// <summary>
/// The logic of `hpt verify`: each input line is a JSON object with "gold" and "pred" (an extracted answer) or
/// "response" (a full response, answer extracted; both honour <see cref="VerifierOptions.Mode"/>); each output line, in input order, is
/// {"line", "equal", "outcome", "gold_answer", "pred_answer", "method"}. A malformed line yields
/// {"line", "equal": false, "error": "..."} naming its line number; the rest still run.
/// </summary>
public static class VerifyJsonl
{
    /// <summary>LaTeX stays readable in the output (no \u0027-style escapes for quotes and '+').</summary>
    private static readonly JsonSerializerOptions OutputOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static VerifyJsonlSummary Run(TextReader input, TextWriter output, VerifierOptions? options = null)
    {
        var verifier = new MathVerifier(options);
        var lines = 0;
        var correct = 0;
        var errors = 0;
        while (input.ReadLine() is { } line)
        {
            lines++;
            if (line.Trim().Length == 0)
            {
                lines--;
                continue;
            }
            var result = VerifyLine(verifier, line, lines);
            if (result["error"] is not null) errors++;
            else if (result["equal"]?.GetValue<bool>() == true) correct++;
            output.WriteLine(result.ToJsonString(OutputOptions));
        }
        output.Flush();
        return new VerifyJsonlSummary(lines, correct, errors);
    }

    private static JsonObject VerifyLine(MathVerifier verifier, string line, int number)
    {
        JsonObject row;
        try
        {
            row = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            return Error(number, $"line {number}: invalid JSON: {e.Message}");
        }
        var gold = Text(row["gold"]);
        if (gold is null) return Error(number, $"line {number}: missing \"gold\"");
        var pred = Text(row["pred"]);
        var response = Text(row["response"]);
        if (pred is null && response is null) return Error(number, $"line {number}: missing \"pred\" or \"response\"");

        var result = pred is not null ? ComparePred(verifier, gold, pred) : verifier.Verify(gold, response);
        return new JsonObject
        {
            ["line"] = number,
            ["equal"] = result.IsCorrect,
            ["outcome"] = result.Outcome.ToString(),
            ["gold_answer"] = result.GoldAnswer,
            ["pred_answer"] = result.PredictedAnswer,
            ["method"] = result.ExtractionMethod,
        };
    }

    /// <summary>
    /// A "pred" is an answer, but people paste it with its \boxed{} wrapper as often as not. A boxed pred is read by
    /// the prediction's rules (a box cut off before its closing brace is no answer, unlike the lenient gold rules), and
    /// in strict mode a pred must be boxed, as a response must.
    /// </summary>
    private static VerificationResult ComparePred(MathVerifier verifier, string gold, string pred)
    {
        var goldAnswer = AnswerExtractor.ExtractGold(gold)?.Text ?? gold;
        var boxed = pred.Contains("\\boxed", StringComparison.Ordinal) || pred.Contains("\\fbox", StringComparison.Ordinal);
        var answer = boxed || verifier.Options.Mode == VerifierMode.Strict
            ? AnswerExtractor.Extract(pred, VerifierMode.Strict)?.Text
            : pred;
        return verifier.CompareAnswers(goldAnswer, answer);
    }

    /// <summary>Strings as they are; numbers (AMC golds are JSON numbers like 27.0) as their JSON text.</summary>
    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<double>(out var d) => d == Math.Floor(d) && Math.Abs(d) < 1e15
            ? ((long)d).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };

    private static JsonObject Error(int number, string message) => new()
    {
        ["line"] = number,
        ["equal"] = false,
        ["error"] = message,
    };
}
