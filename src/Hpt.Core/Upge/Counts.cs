using static TorchSharp.torch;

namespace Hpt.Core.Upge;

/// <summary>Helpers shared by the aggregation modes.</summary>
internal static class Counts
{
    /// <summary>Divides by the given count, or by the tensor count; either is floored at 1 so empty gives 0.</summary>
    public static Tensor Divide(Tensor sum, Tensor ownCount, double? givenCount) =>
        givenCount is { } given ? sum / Math.Max(given, 1.0) : sum / ownCount.clamp_min(1.0);

    /// <summary>Rows with at least one selected token, as a 0-dim tensor.</summary>
    public static Tensor Rows(Tensor tokens) => tokens.sum(1).gt(0.0).to_type(tokens.dtype).sum();
}
