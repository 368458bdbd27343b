using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// Sum over every selected token of every row divided by a constant, with no 1/rows: the official HPT/LUFFY code
/// (<c>loss_remove_token_mean=True</c>: sum / 8192, the padded response width). Name <c>token-sum</c>.
/// </summary>
public sealed record TokenSumAggregation(double Constant) : ILossAggregation
{
    public string Name => "token-sum";

    public Tensor Reduce(Tensor values, Tensor tokens, double? tokenCount = null, double? rowCount = null)
    {
        using var scope = NewDisposeScope();
        return ((values * tokens).sum() / Constant).MoveToOuterDisposeScope();
    }
}
