using System.Text.Json;
using System.Text.Json.Nodes;
using Hpt.Tasks.Evaluation;

namespace Hpt.Cli.Reporting;

/// <summary>`hpt eval -o out.json`: the protocol that produced the figures, avg@n and unbiased pass@k, per-problem counts.</summary>
public static class EvalJson
{
    public static string Format(BenchmarkResult result, EvaluationProtocol protocol, string protocolName, string model, string data)
    {
        var passAtK = new JsonObject();
        // Powers of two up to n, and n itself: the curve the paper plots (k = 1 .. 1024).
        foreach (var k in Ks(result.Samples)) passAtK[k.ToString(System.Globalization.CultureInfo.InvariantCulture)] = result.PassAtK[k - 1];
        var json = new JsonObject
        {
            ["model"] = model,
            ["data"] = data,
            ["benchmark"] = result.Benchmark,
            ["protocol"] = new JsonObject
            {
                ["name"] = protocolName,
                ["temperature"] = protocol.Sampling.Temperature,
                ["top_p"] = protocol.Sampling.TopP,
                ["max_new_tokens"] = protocol.Sampling.MaxNewTokens,
                ["samples"] = protocol.Samples,
                ["greedy"] = protocol.IncludeGreedy,
            },
            ["problems"] = result.Problems,
            ["samples"] = result.Samples,
            [$"avg_at_{result.Samples}"] = result.AverageAtK,
            ["greedy_accuracy"] = result.GreedyAccuracy,
            ["pass_at_k"] = passAtK,
            ["correct_counts"] = new JsonArray(result.CorrectCounts.Select(c => (JsonNode?)c).ToArray()),
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static IEnumerable<int> Ks(int n)
    {
        for (var k = 1; k <= n; k *= 2) yield return k;
        if ((n & (n - 1)) != 0) yield return n;
    }
}
