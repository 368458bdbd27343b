namespace Hpt.Tasks.Evaluation;

/// <summary>Decoding settings handed to a <see cref="CompletionSampler"/>. Temperature 0 means greedy.</summary>
public sealed record SamplingParameters(double Temperature, double TopP, int MaxNewTokens)
{
    public bool IsGreedy => Temperature <= 0;

    public static SamplingParameters Greedy(int maxNewTokens) => new(0, 1, maxNewTokens);
}
