using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>Evaluates a <see cref="KlEstimator"/> per token.</summary>
public static class KlEstimators
{
    /// <summary>[B,T] values from log pi_theta and log pi_ref (both [B,T]).</summary>
    public static Tensor PerToken(KlEstimator kind, Tensor logProbs, Tensor refLogProbs)
    {
        using var scope = NewDisposeScope();
        var d = logProbs - refLogProbs;
        var result = kind switch
        {
            KlEstimator.K1 => d,
            KlEstimator.K2 => d.square() * 0.5,
            KlEstimator.K3 => (-d).exp() - 1.0 + d,
            _ => zeros_like(d),
        };
        return result.MoveToOuterDisposeScope();
    }
}
