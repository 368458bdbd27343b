using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// The reference-policy denominator pi_ref of the UPGE (Table 1, column 2), expressed as the per-token log-ratio
/// log(pi_theta / pi_ref). Its exponential r has the gradient (1 / pi_ref) * grad pi_theta, which is the paper's
/// estimator before the mask and the advantage.
/// </summary>
public interface IReferenceDenominator
{
    /// <summary>The configuration name (<c>algorithm.denominator</c>, <c>algorithm.offline-denominator</c>).</summary>
    string Name { get; }

    /// <summary>
    /// log(pi_theta / pi_ref), [B,T], differentiable through <paramref name="logProbs"/>. The inputs are already 0 at
    /// padded positions, and <paramref name="mask"/> [B,T] is 1 on real tokens.
    /// </summary>
    Tensor LogRatio(Tensor logProbs, Tensor oldLogProbs, Tensor mask);
}
