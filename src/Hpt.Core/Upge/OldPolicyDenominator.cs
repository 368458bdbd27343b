using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>pi_ref = pi_old: the PPO/GRPO importance ratio pi_theta / pi_old per token. Name <c>old</c>.</summary>
public sealed record OldPolicyDenominator : IReferenceDenominator
{
    public string Name => "old";

    public Tensor LogRatio(Tensor logProbs, Tensor oldLogProbs, Tensor mask) => logProbs - oldLogProbs;
}
