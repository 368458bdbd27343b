using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// Mean over rows of each row's token sum divided by a constant: Dr.GRPO's 1/(G * MAX_TOKENS); with Constant = 1, the
/// paper's Eq. 11 (1/n) sum_i sum_t. Name <c>seq-mean-token-sum</c>.
/// </summary>
public sealed record SequenceMeanTokenSumAggregation(double Constant) : ILossAggregation
{
    public string Name => "seq-mean-token-sum";

    public Tensor Reduce(Tensor values, Tensor tokens, double? tokenCount = null, double? rowCount = null)
    {
        using var scope = NewDisposeScope();
        var sum = (values * tokens).sum() / Constant;
        return Counts.Divide(sum, Counts.Rows(tokens), rowCount).MoveToOuterDisposeScope();
    }
}
