namespace Hpt.Tasks.Evaluation;

/// <summary>
/// How one benchmark is evaluated: sampled decoding with <see cref="Samples"/> completions per prompt (avg@k and
/// pass@1..k), optionally also greedy decoding (one completion).
/// </summary>
public sealed record EvaluationProtocol(SamplingParameters Sampling, int Samples, bool IncludeGreedy = false)
{
    /// <summary>Benchmarks the paper reports as avg@32 (small sets with high variance).</summary>
    private static readonly string[] Avg32Benchmarks = ["aime", "amc"];

    /// <summary>
    /// The HPT paper's protocol (section 5): temperature 0.6, top-p 0.95, up to 8192 new tokens; avg@32 for AIME
    /// and AMC, avg@1 for the others.
    /// </summary>
    public static EvaluationProtocol Paper(string benchmark)
    {
        var name = benchmark.ToLowerInvariant();
        var samples = Avg32Benchmarks.Any(name.Contains) ? 32 : 1;
        return new EvaluationProtocol(new SamplingParameters(0.6, 0.95, 8192), samples);
    }

    /// <summary>For the built-in tasks on a small CPU model: greedy plus <paramref name="samples"/> samples at T=1.</summary>
    public static EvaluationProtocol Small(int samples = 8, int maxNewTokens = 96) =>
        new(new SamplingParameters(1.0, 1.0, maxNewTokens), samples, IncludeGreedy: true);
}
