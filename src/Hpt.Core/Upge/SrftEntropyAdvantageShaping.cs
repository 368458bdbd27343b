using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// SRFT's entropy-aware on-policy advantage, as the official HPT repository implements it (<c>srft_type="paper"</c>):
/// a correct rollout (advantage &gt; 0, i.e. +1 from the <c>reinforce</c> estimator) gets PositiveScale * exp(H_i),
/// a wrong one keeps its -1. H_i is the row's detached mean token entropy. Name <c>srft-entropy</c>.
/// </summary>
public sealed record SrftEntropyAdvantageShaping(double PositiveScale = 0.1) : IAdvantageShaping
{
    public string Name => "srft-entropy";

    public bool NeedsRowEntropy => true;

    public Tensor Apply(Tensor advantages, Tensor? rowEntropy)
    {
        ArgumentNullException.ThrowIfNull(rowEntropy);
        using var scope = NewDisposeScope();
        var positive = rowEntropy.exp() * PositiveScale;
        return where(advantages.gt(0.0), positive.expand_as(advantages), advantages).MoveToOuterDisposeScope();
    }
}
