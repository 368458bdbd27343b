using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// pi_ref = 1: r = pi_theta itself, the offline rows of LUFFY and SRFT ("any source works", LUFFY issue #7).
/// Name <c>one</c>.
/// </summary>
public sealed record UnitDenominator : IReferenceDenominator
{
    public string Name => "one";

    public Tensor LogRatio(Tensor logProbs, Tensor oldLogProbs, Tensor mask) => logProbs.alias();
}
