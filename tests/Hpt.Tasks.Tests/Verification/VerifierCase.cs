using System.Text.Json;

namespace Hpt.Tasks.Tests.Verification;

/// <summary>One line of verifier-cases.jsonl: a gold, a prediction and the outcome its source asserts.</summary>
internal sealed record VerifierCase(string Id, string Gold, string Pred, bool Equal, bool DefaultOptions, bool AnswerInput)
{
    public static IReadOnlyList<VerifierCase> Load()
    {
        var path = TestData.Resolve("verifier-cases.jsonl", "verifier-cases.jsonl");
        return File.ReadLines(path).Where(l => l.Trim().Length > 0).Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            var defaults = !r.TryGetProperty("default_options", out var d) || d.ValueKind != JsonValueKind.False;
            return new VerifierCase(
                r.GetProperty("id").GetString()!,
                r.GetProperty("gold").GetString()!,
                r.GetProperty("pred").GetString()!,
                r.GetProperty("equal").GetBoolean(),
                defaults,
                r.GetProperty("input").GetString() == "answer");
        }).ToList();
    }
}
