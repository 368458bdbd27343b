using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>
/// How per-token loss values become one number. Every mode is defined on an empty selection (no tokens, no rows): it
/// returns 0, never 0/0 (the official code's NaN on micro-batches without SFT rows, LUFFY issue #24, is not copied).
/// </summary>
public interface ILossAggregation
{
    /// <summary>The configuration name (<c>algorithm.aggregation</c>, <c>algorithm.sft-aggregation</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Reduces <paramref name="values"/> [B,T] over the tokens where <paramref name="tokens"/> [B,T] is 1.
    /// <paramref name="tokenCount"/> and <paramref name="rowCount"/>, when given, replace this micro-batch's own
    /// counts, so that summing micro-batch losses gives the mini-batch mean under gradient accumulation.
    /// </summary>
    Tensor Reduce(Tensor values, Tensor tokens, double? tokenCount = null, double? rowCount = null);
}
