namespace Hpt.Core.Upge;

/// <summary>
/// Counts over a whole mini-batch, to normalise each micro-batch's loss by them instead of by its own counts. With
/// them, summing the micro-batch losses (gradient accumulation) gives exactly the mini-batch loss. Leave it null to
/// reproduce the official code, which normalises SFT and entropy per micro-batch.
/// </summary>
/// <param name="RlTokens">Real tokens of rows in the RL term (on-policy rows and off-policy expert rows).</param>
/// <param name="RlRows">Rows in the RL term with at least one real token.</param>
/// <param name="SftTokens">Real tokens of rows in the SFT term.</param>
/// <param name="SftRows">Rows in the SFT term with at least one real token.</param>
/// <param name="AllTokens">All real tokens (entropy bonus, KL).</param>
public sealed record LossNormalizer(double RlTokens, double RlRows, double SftTokens, double SftRows, double AllTokens);
