using Hpt.Model.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model.Sampling;

/// <summary>
/// The vocabulary projection of a decode step. Where <see cref="FewRowLinear"/> takes the step (the CPU kernel, the
/// default in fp32), it multiplies by the model's own matrix and this class keeps no copy. Otherwise, on the CPU it multiplies by a contiguous (d_model, V) copy of the
/// vocabulary matrix instead of <c>F.linear</c>'s transposed view: at a decode step's few rows the CPU GEMM spends a
/// large part of its time re-laying out a transposed (V, d) operand on every call. Measured on this project's CPU (one
/// thread, d 512, V 32,000, best of 5): 64 rows 39 -> 34 ms, 32 rows 25 -> 20 ms, 8 rows 15 -> 11 ms, 1 row 7.1 -> 3.8 ms; the
/// products are bitwise the same from 8 rows up (one row takes a matrix-vector kernel, within 1e-5 relative).
/// The copy is of the weights as they were: <see cref="Refresh"/> marks it stale after they change (the generator
/// does when its policy version is set) and the next call copies them again, into the same buffer. On a GPU the BLAS
/// takes the transposed operand as it is, so the copy would only cost memory: there it is the model's own lm head.
/// The copy is held as column blocks of <paramref name="chunkColumns"/> vocabulary entries, one GEMM each into its
/// columns of the logits: the CPU GEMM is 10-20 % faster over (d, 2048) blocks than over the whole (d, 32k) matrix
/// (one thread, shared machine: 64 rows 32-35 -> 28-30 ms, 32 rows 19-23 -> 17.5-18 ms, 16 rows 15.4-15.7 -> 12.8 ms),
/// and the products are bitwise the same (each logit is the same dot product over d), with one torch thread or two.
/// Not done: at 2-8 rows, (V, d) x (d, rows) on the model's own matrix was faster with one thread (4 rows 13.5-18 ->
/// 10 ms), but with two threads it changed the bench workload's sampled tokens (its rounding depends on the thread
/// count), so the copy serves every row count.
/// </summary>
internal sealed class DecodeHead(CausalLM model, int chunkColumns = DecodeHead.DefaultChunkColumns) : IDisposable
{
    /// <summary>Vocabulary entries per block of the copy.</summary>
    public const int DefaultChunkColumns = 2048;

    private readonly bool copied = model.Device.type == DeviceType.CPU;
    private Tensor[]? blocks; // (d_model, <= chunkColumns) each, contiguous, outside every dispose scope
    private bool stale = true;

    /// <summary>Bytes of the transposed copy (0 until the first call, and on a GPU).</summary>
    public long Bytes => blocks is null ? 0 : blocks.Sum(b => b.numel() * b.element_size());

    /// <summary>The weights changed: the next <see cref="Logits"/> copies them again.</summary>
    public void Refresh() => stale = true;

    /// <summary>(rows, V) logits in the model's dtype for hidden states (rows, d_model).</summary>
    public Tensor Logits(Tensor hidden)
    {
        // Up to FewRowLinear.MaxRows rows the model's own matrix is read as it is (no copy is made at all).
        if (!copied || FewRowLinear.Applies(hidden, model.LmHeadMatrix())) return model.LmHead(hidden);
        var rows = hidden.shape[0];
        if (stale)
        {
            using var noGrad = no_grad();
            var matrix = model.LmHeadMatrix();
            var (vocab, d) = (matrix.shape[0], matrix.shape[1]);
            blocks ??= Enumerable.Range(0, (int)((vocab + chunkColumns - 1) / chunkColumns))
                .Select(i => empty([d, Math.Min(chunkColumns, vocab - (long)i * chunkColumns)], matrix.dtype, matrix.device).DetachFromDisposeScope())
                .ToArray();
            for (var i = 0; i < blocks.Length; i++) blocks[i].copy_(matrix.narrow(0, (long)i * chunkColumns, blocks[i].shape[1]).t());
            stale = false;
        }
        var copy = blocks!;
        if (copy.Length == 1) return hidden.mm(copy[0]);
        var logits = empty([rows, copy.Sum(b => b.shape[1])], hidden.dtype, hidden.device);
        // beta 0: the uninitialised output is ignored, not scaled (NaN in it does not propagate).
        for (var i = 0; i < copy.Length; i++)
            logits.narrow(1, (long)i * chunkColumns, copy[i].shape[1]).addmm_(hidden, copy[i], beta: 0, alpha: 1);
        return logits;
    }

    public void Dispose()
    {
        if (blocks is not null) foreach (var b in blocks) b.Dispose();
        blocks = null;
    }
}
