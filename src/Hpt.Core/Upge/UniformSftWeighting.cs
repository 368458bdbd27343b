using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>Every SFT token weighs 1. Name <c>none</c>.</summary>
public sealed record UniformSftWeighting : ISftWeighting
{
    public string Name => "none";

    public bool NeedsRowEntropy => false;

    public Tensor? Weight(Tensor? rowEntropy) => null;
}
