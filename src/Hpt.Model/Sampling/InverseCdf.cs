using static TorchSharp.torch;

namespace Hpt.Model.Sampling;

/// <summary>
/// Inverse-CDF sampling over rows of probabilities: for each row the first index whose running sum exceeds
/// <c>u * total</c>. Over a vocabulary the full <c>cumsum</c> is the largest cost of a decode step's sampling
/// (2.2 of about 6 ms at 64 x 32k, one thread), so wide rows go in two levels: sums of blocks of
/// <see cref="Block"/> entries, a cumsum over the blocks, then one block's running sum for the row's draw. The CPU
/// cumsum accumulates fp32 in double and rounds each running sum to fp32; both levels do the same (block sums and
/// running sums in double, compared in fp32), so the chosen index equals the full cumsum's unless a running sum falls
/// within double rounding (about 1e-16 relative) of an fp32 rounding boundary.
/// </summary>
internal static class InverseCdf
{
    /// <summary>Entries per block: a row of 32,000 (or Qwen's 151,936) is a whole number of blocks.</summary>
    public const int Block = 128;

    /// <summary>
    /// Indices (rows, 1) int64 and each row's total mass (rows, 1) fp32 for uniforms <paramref name="u"/> in [0, 1), one
    /// per row of <paramref name="probs"/> (rows, n) fp32 (non-negative; zero entries are never chosen).
    /// </summary>
    public static (Tensor Index, Tensor Total) Sample(Tensor probs, float[] u)
    {
        var rows = probs.shape[0];
        var n = probs.shape[1];
        var device = probs.device;
        var uniforms = tensor(u, [u.Length, 1], device: device);
        if (n % Block != 0 || n < 4 * Block || probs.dtype != ScalarType.Float32)
        {
            // Narrow rows (top-k candidates) or a width that is no whole number of blocks: the one-level search.
            var cdf = probs.cumsum(-1);
            var all = cdf.narrow(-1, n - 1, 1);
            // right: the first index whose cdf exceeds the draw, so zero-probability entries are never chosen.
            return (searchsorted(cdf, uniforms * all, right: true).clamp_max(n - 1), all);
        }
        var blocks = n / Block;
        var sums = probs.reshape(rows, blocks, Block).sum(-1, type: ScalarType.Float64); // (rows, blocks)
        var ends = sums.cumsum(-1);                                                  // running sum at each block's end
        var total = ends.narrow(-1, blocks - 1, 1).to(ScalarType.Float32);
        var draw = uniforms * total;
        // The first block whose end exceeds the draw holds the first index that does (rounding to fp32 is monotone).
        var block = searchsorted(ends.to(ScalarType.Float32), draw, right: true).clamp_max(blocks - 1);
        var starts = cat([zeros([rows, 1], ScalarType.Float64, device), ends.narrow(-1, 0, blocks - 1)], -1);
        var columns = block * Block + arange(Block, ScalarType.Int64, device);     // (rows, Block)
        var inner = (probs.gather(-1, columns).cumsum(-1, type: ScalarType.Float64) + starts.gather(-1, block)).to(ScalarType.Float32);
        var within = searchsorted(inner, draw, right: true).clamp_max(Block - 1);
        return (block * Block + within, total);
    }
}
