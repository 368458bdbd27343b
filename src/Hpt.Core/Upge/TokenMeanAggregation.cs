using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>Sum over all selected tokens / their number (DAPO's token-level mean; CISPO). Name <c>token-mean</c>.</summary>
public sealed record TokenMeanAggregation : ILossAggregation
{
    public string Name => "token-mean";

    public Tensor Reduce(Tensor values, Tensor tokens, double? tokenCount = null, double? rowCount = null)
    {
        using var scope = NewDisposeScope();
        return Counts.Divide((values * tokens).sum(), tokens.sum(), tokenCount).MoveToOuterDisposeScope();
    }
}
