using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// Truncated importance sampling against the behaviour policy (the sampler that produced the rollout, possibly an
/// older policy in the asynchronous pipeline, or a different numeric path): each on-policy token's objective is
/// multiplied by the detached weight min(pi_old / pi_behaviour, Cap). It composes with any mask, so it is its own
/// knob (<c>algorithm.tis-cap</c>; 0 = off) rather than a mask variant.
/// </summary>
public sealed record TruncatedImportanceSampling(double Cap)
{
    /// <summary>Detached weights [B,T]; inputs are already 0 at padded positions.</summary>
    public Tensor Weight(Tensor oldLogProbs, Tensor behaviourLogProbs)
    {
        using var scope = NewDisposeScope();
        return (oldLogProbs - behaviourLogProbs).detach().exp().clamp_max(Cap).MoveToOuterDisposeScope();
    }
}
