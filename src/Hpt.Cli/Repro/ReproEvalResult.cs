using System.Text.Json.Serialization;

namespace Hpt.Cli.Repro;

/// <summary>
/// One model on one split of the regime: per-problem correct counts out of n samples (what avg@n, the unbiased
/// pass@k and the paired bootstrap are computed from), with the problems' ids and levels for pairing.
/// </summary>
public sealed record ReproEvalResult(
    [property: JsonPropertyName("split")] string Split,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("temperature")] double Temperature,
    [property: JsonPropertyName("top_p")] double TopP,
    [property: JsonPropertyName("max_new_tokens")] int MaxNewTokens,
    [property: JsonPropertyName("eval_seed")] int EvalSeed,
    [property: JsonPropertyName("problem_ids")] IReadOnlyList<string> ProblemIds,
    [property: JsonPropertyName("levels")] IReadOnlyList<int> Levels,
    [property: JsonPropertyName("correct_counts")] IReadOnlyList<int> CorrectCounts,
    [property: JsonPropertyName("seconds")] double Seconds)
{
    [JsonIgnore] public double Average => CorrectCounts.Count == 0 ? 0 : CorrectCounts.Sum() / (double)(CorrectCounts.Count * Samples);

    public static ReproEvalResult Read(string path) =>
        System.Text.Json.JsonSerializer.Deserialize<ReproEvalResult>(File.ReadAllBytes(path))
        ?? throw new InvalidDataException($"{path} is empty");
}
