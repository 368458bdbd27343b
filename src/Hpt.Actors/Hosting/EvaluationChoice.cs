using Hpt.Tasks.Evaluation;

namespace Hpt.Actors.Hosting;

/// <summary>
/// The protocol `hpt eval` runs: paper (temperature 0.6, top-p 0.95, 8192 new tokens, avg@32 on AIME/AMC, avg@1
/// elsewhere, as the paper's section 3.1) or small (greedy plus 8 samples at T = 1, 96 new tokens, for CPU-sized models),
/// with the sample count and response budget optionally overridden (pass@k for k up to 1024 needs 1024 samples).
/// </summary>
public static class EvaluationChoice
{
    public const int MaxSamples = 1024;

    public static readonly string[] Names = ["paper", "small"];

    public static EvaluationProtocol For(string protocol, string benchmark, int? samples = null, int? maxNewTokens = null)
    {
        if (samples is < 1 or > MaxSamples) throw new ArgumentException($"--samples: {samples} is not in 1..{MaxSamples}");
        if (maxNewTokens is < 1) throw new ArgumentException($"--max-new-tokens: {maxNewTokens} is not a positive number of tokens");
        var chosen = protocol.ToLowerInvariant() switch
        {
            "paper" => EvaluationProtocol.Paper(benchmark),
            "small" => EvaluationProtocol.Small(),
            _ => throw new ArgumentException($"--protocol: '{protocol}' is not one of {string.Join(", ", Names)}"),
        };
        return chosen with
        {
            Samples = samples ?? chosen.Samples,
            Sampling = chosen.Sampling with { MaxNewTokens = maxNewTokens ?? chosen.Sampling.MaxNewTokens },
        };
    }

    /// <summary>
    /// `hpt train`'s held-out evaluation (hpt.task.eval-protocol): small, or the paper's sampling (T 0.6, top-p 0.95,
    /// no greedy) with <paramref name="samples"/> samples, as the official script's in-training validation (avg@8).
    /// </summary>
    public static EvaluationProtocol ForTraining(string protocol, int samples, int maxNewTokens) => protocol switch
    {
        "paper" => new EvaluationProtocol(new SamplingParameters(0.6, 0.95, maxNewTokens), samples),
        _ => EvaluationProtocol.Small(samples, maxNewTokens),
    };
}
