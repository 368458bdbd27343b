using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// Mean over rows of each row's token mean (GRPO's 1/G sum_i 1/|o_i| sum_t; GSPO; the paper's Eq. 12 for SFT).
/// Name <c>seq-mean-token-mean</c>.
/// </summary>
public sealed record SequenceMeanTokenMeanAggregation : ILossAggregation
{
    public string Name => "seq-mean-token-mean";

    public Tensor Reduce(Tensor values, Tensor tokens, double? tokenCount = null, double? rowCount = null)
    {
        using var scope = NewDisposeScope();
        var perRow = (values * tokens).sum(1) / tokens.sum(1).clamp_min(1.0); // [B]
        return Counts.Divide(perRow.sum(), Counts.Rows(tokens), rowCount).MoveToOuterDisposeScope();
    }
}
