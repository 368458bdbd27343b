using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// SRFT's entropy-aware SFT weight Scale * exp(-H_i) (Scale = 0.5 in the official HPT repository): confident
/// (low-entropy) rows are imitated harder. Name <c>srft-entropy</c>.
/// </summary>
public sealed record SrftEntropySftWeighting(double Scale = 0.5) : ISftWeighting
{
    public string Name => "srft-entropy";

    public bool NeedsRowEntropy => true;

    public Tensor? Weight(Tensor? rowEntropy)
    {
        ArgumentNullException.ThrowIfNull(rowEntropy);
        using var scope = NewDisposeScope();
        return ((-rowEntropy).exp() * Scale).MoveToOuterDisposeScope();
    }
}
