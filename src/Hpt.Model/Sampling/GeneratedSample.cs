namespace Hpt.Model.Sampling;

/// <summary>
/// One generated response.
/// </summary>
/// <param name="TokenIds">The response tokens, including the stop token when the row stopped.</param>
/// <param name="LogProbs">
/// Per token: log pi(token | prefix) of the raw model at temperature 1, no top-k/top-p, in fp32. This is what the
/// learner's teacher-forced scorer recomputes, so at staleness 0 the importance ratio is exactly 1 (up to float error).
/// Use these as behaviour log-probs when sampling at temperature 1 without truncation.
/// </param>
/// <param name="SamplingLogProbs">
/// Per token: the log-probability under the distribution actually sampled from (tempered, top-k and top-p
/// renormalised); 0 for greedy. Equal to <paramref name="LogProbs"/> at temperature 1 with top-p 1 and top-k 0.
/// </param>
/// <param name="Truncated">True when the row hit MaxNewTokens without emitting a stop token.</param>
/// <param name="PolicyVersion">The weights version the caller said it sampled with.</param>
public sealed record GeneratedSample(int[] TokenIds, float[] LogProbs, float[] SamplingLogProbs, bool Truncated, long PolicyVersion)
{
    /// <summary>Per token, the weights version that sampled it (a weight update mid-sequence makes it change); null = all <see cref="PolicyVersion"/>.</summary>
    public long[]? TokenVersions { get; init; }

    /// <summary><see cref="TokenVersions"/>, or <see cref="PolicyVersion"/> for every token.</summary>
    public long[] VersionPerToken() => TokenVersions ?? Enumerable.Repeat(PolicyVersion, TokenIds.Length).ToArray();
}
