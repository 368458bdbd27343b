namespace Hpt.Core.Upge;

/// <summary>
/// Plain numbers about one micro-batch's loss, read back in one device transfer. Every value is finite: means over an
/// empty selection are 0, and the ratio statistics are 1 when there is no on-policy token.
/// </summary>
/// <param name="Loss">The total loss value.</param>
/// <param name="RlLoss">-aggregate(J) of the RL term (on-policy and off-policy rows), before entropy and KL.</param>
/// <param name="SftLoss">c_sft * aggregate(-w log p) of the SFT term.</param>
/// <param name="EntropyMean">Mean token entropy over all real tokens (0 when no entropy was given).</param>
/// <param name="KlMean">Mean per-token KL estimate to the reference (0 without a KL term).</param>
/// <param name="ClipFraction">Fraction of on-policy RL tokens whose gradient the mask zeroes or caps.</param>
/// <param name="RatioMean">Mean of pi_theta / pi_old over on-policy RL tokens.</param>
/// <param name="RatioMin">Minimum of that ratio.</param>
/// <param name="RatioMax">Maximum of that ratio.</param>
/// <param name="MismatchKl">k3 estimate of KL(behaviour || learner's pi_old) over on-policy tokens: how far the
/// sampler's numbers drift from the learner's (staleness, precision, kernels).</param>
/// <param name="TisWeightMean">Mean truncated-IS weight over on-policy RL tokens (1 when off).</param>
/// <param name="TisTruncatedFraction">Fraction of those tokens whose weight hit the cap.</param>
/// <param name="OnPolicyTokens">Real tokens of rollout rows in the RL term.</param>
/// <param name="OffPolicyTokens">Real tokens of expert rows in the RL term.</param>
/// <param name="SftTokens">Real tokens of rows in the SFT term.</param>
/// <param name="AllTokens">All real tokens.</param>
/// <param name="OnPolicyRows">Rollout rows.</param>
/// <param name="ExpertRows">Expert rows.</param>
/// <param name="MeanResponseLength">Mean real tokens per row.</param>
public sealed record LossMetrics(
    double Loss,
    double RlLoss,
    double SftLoss,
    double EntropyMean,
    double KlMean,
    double ClipFraction,
    double RatioMean,
    double RatioMin,
    double RatioMax,
    double MismatchKl,
    double TisWeightMean,
    double TisTruncatedFraction,
    double OnPolicyTokens,
    double OffPolicyTokens,
    double SftTokens,
    double AllTokens,
    double OnPolicyRows,
    double ExpertRows,
    double MeanResponseLength)
{
    /// <summary>Expert rows / all rows (the paper's Figure 6 "offline data ratio", per micro-batch).</summary>
    public double OfflineRowFraction => OnPolicyRows + ExpertRows > 0 ? ExpertRows / (OnPolicyRows + ExpertRows) : 0.0;
}
