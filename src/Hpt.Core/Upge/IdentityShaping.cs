using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>f(r) = r. Name <c>none</c>.</summary>
public sealed record IdentityShaping : ILikelihoodShaping
{
    public string Name => "none";

    public Tensor Apply(Tensor ratio) => ratio.alias();
}
