using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>Advantages unchanged. Name <c>none</c>.</summary>
public sealed record NoAdvantageShaping : IAdvantageShaping
{
    public string Name => "none";

    public bool NeedsRowEntropy => false;

    public Tensor Apply(Tensor advantages, Tensor? rowEntropy) => advantages.alias();
}
