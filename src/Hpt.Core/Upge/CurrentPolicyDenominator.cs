using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// pi_ref = sg(pi_theta): r = 1 in value, grad r = grad log pi_theta (SFT, REINFORCE, RLOO, SRFT's on-policy term).
/// Name <c>current</c>.
/// </summary>
public sealed record CurrentPolicyDenominator : IReferenceDenominator
{
    public string Name => "current";

    public Tensor LogRatio(Tensor logProbs, Tensor oldLogProbs, Tensor mask) => logProbs - logProbs.detach();
}
