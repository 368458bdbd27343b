using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hpt.Model.Kernels;

/// <summary>
/// <c>y = x W^T (+ b)</c> for an fp32 CPU input of a few rows (a decode step's sequences, a short prefill chunk), with
/// no autograd. The CPU BLAS under libtorch is built for large products: at 2-16 rows it re-lays out the weight
/// operand on every call, and a 2-row product over the 32k-entry vocabulary matrix took longer than two 1-row ones (16.5
/// ms against 8.7 ms here, one thread), so a decode step with few sequences cost far more than its share of the
/// weights' bytes. This kernel reads the weight matrix once, in its own row-major layout, and computes a tile of 4 weight
/// rows by 4 input rows per pass (16 accumulators, 8 loads per 16 fused multiply-adds), so it runs at memory bandwidth
/// when the rows are few and near the core's FMA peak when they are many: d 512, V 32,000 on this project's CPU, one
/// thread, 1 / 4 / 16 / 64 rows: 5.2 / 9.9 / 12.5 / 29 ms against the BLAS's 8.7 / 13.6 / 18.9 / 40.6 ms.
/// <para>
/// <b>Batch-invariant by construction.</b> Every output element is one dot product computed by the same instructions in
/// the same order (8-lane accumulation over k ascending, then one fixed horizontal sum), whichever tile, row count or
/// thread it falls in. So a sequence's logits do not depend on which other sequences share its decode step, nor on the
/// thread count: continuous batching changes no rounding in the projections (it still can in attention's padded width).
/// </para>
/// Needs 256-bit vectors (AVX2 or AVX-512 on x86, which every CPU this targets has); elsewhere, and for inputs it does not
/// take, callers get <c>false</c> from <see cref="Applies"/> and use the torch operator.
/// </summary>
public static class FewRowLinear
{
    /// <summary>Most rows the kernel takes (a decode step's slots); more rows are a prefill or a training batch, the BLAS's case.</summary>
    public const int MaxRows = 64;

    private const int Lanes = 8; // Vector256<float>

    /// <summary>Work below which a second thread costs more than it saves (multiply-adds).</summary>
    private const long ParallelMinMacs = 1L << 20;

    /// <summary>Rows of the weight matrix one thread takes at a time (a multiple of the 4-row tile).</summary>
    private const int WeightRowBlock = 64;

    /// <summary>Whether the machine has the vectors the kernel needs.</summary>
    public static bool Available { get; } = Vector256.IsHardwareAccelerated && LibtorchThreads.Available;

    /// <summary>Whether products with <paramref name="inputs"/> inputs (K) and <paramref name="outputs"/> outputs (N) can run here.</summary>
    public static bool Takes(long inputs, long outputs) => Available && inputs % Lanes == 0 && inputs * outputs <= int.MaxValue / sizeof(float);

    /// <summary>Whether <paramref name="x"/> (..., K) times <paramref name="weight"/> (N, K) can run here.</summary>
    public static bool Applies(Tensor x, Tensor weight)
    {
        if (!Available || x.device_type != DeviceType.CPU || weight.device_type != DeviceType.CPU) return false;
        if (x.dtype != ScalarType.Float32 || weight.dtype != ScalarType.Float32 || weight.dim() != 2) return false;
        var k = weight.shape[1];
        // Storage is read through spans, whose length is an int (a 7B model's vocabulary matrix is larger).
        if (!Takes(k, weight.shape[0]) || x.shape[^1] != k || !weight.is_contiguous()) return false;
        if (x.numel() / k > MaxRows) return false;
        // Only where the caller made room for it (see LibtorchThreads): next to libtorch's spinning workers it is slower.
        if (LibtorchThreads.Budget < 1) return false;
        // The result carries no graph: only where autograd would not record one anyway.
        return !is_grad_enabled() || (!x.requires_grad && !weight.requires_grad);
    }

    /// <summary>The layer's output for <paramref name="x"/>: this kernel where it <see cref="Applies"/>, else the layer's own forward.</summary>
    public static Tensor Forward(Linear layer, Tensor x) =>
        Applies(x, layer.weight!) ? Compute(x, layer.weight!, layer.bias) : layer.forward(x);

    /// <summary>x (..., K) W^T + bias for W (N, K): (..., N). Call only where <see cref="Applies"/> holds.</summary>
    public static Tensor Compute(Tensor x, Tensor weight, Tensor? bias = null)
    {
        var (n, k) = ((int)weight.shape[0], (int)weight.shape[1]);
        var rows = (int)(x.numel() / k);
        var shape = x.shape.ToArray();
        shape[^1] = n;
        // Not disposed here: like every forward in this project they belong to the caller's dispose scope.
        var input = x.contiguous();
        var y = empty(shape, ScalarType.Float32, x.device);
        var b = bias?.contiguous();
        var blocks = (n + WeightRowBlock - 1) / WeightRowBlock;
        var threads = Math.Min(Math.Min(LibtorchThreads.Budget, blocks), KernelThreads.Shared.Threads);
        if (threads <= 1 || (long)rows * n * k < ParallelMinMacs) Run(input, weight, b, y, 0, n, rows, k, n);
        else
            // Contiguous ranges of weight rows per thread: each output element is still computed whole by one thread.
            KernelThreads.Shared.Run(threads, t =>
            {
                var lo = (int)((long)blocks * t / threads) * WeightRowBlock;
                var hi = Math.Min(n, (int)((long)blocks * (t + 1) / threads) * WeightRowBlock);
                Run(input, weight, b, y, lo, hi, rows, k, n);
            });
        return y;
    }

    /// <summary>Output columns [n0, n1) of every row.</summary>
    private static void Run(Tensor x, Tensor w, Tensor? bias, Tensor y, int n0, int n1, int rows, int k, int n)
    {
        // Spans over native storage, taken per thread (a span cannot cross into the parallel lambda).
        ref var xr = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<byte, float>(x.bytes));
        ref var wr = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<byte, float>(w.bytes));
        ref var yr = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<byte, float>(y.bytes));
        var j = n0;
        for (; j + 4 <= n1; j += 4)
        {
            var i = 0;
            for (; i + 4 <= rows; i += 4) Tile4x4(ref xr, ref wr, ref yr, i, j, k, n);
            for (; i < rows; i++) Tile1x4(ref xr, ref wr, ref yr, i, j, k, n);
        }
        for (; j < n1; j++)
            for (var i = 0; i < rows; i++) Unsafe.Add(ref yr, (nint)i * n + j) = Dot(ref xr, ref wr, (nuint)i * (nuint)k, (nuint)j * (nuint)k, k);
        if (bias is null) return;
        var bs = MemoryMarshal.Cast<byte, float>(bias.bytes);
        var ys = MemoryMarshal.Cast<byte, float>(y.bytes);
        for (var i = 0; i < rows; i++)
            for (var c = n0; c < n1; c++) ys[i * n + c] += bs[c];
    }

    // The three paths below compute each output element identically: acc = fma(w[j, p..p+8], x[i, p..p+8], acc) for
    // p = 0, 8, .., then Vector256.Sum(acc). Keep them in step: batch invariance depends on it.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x4(ref float x, ref float w, ref float y, int i, int j, int k, int n)
    {
        Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
        var uk = (nuint)k;
        nuint x0 = (nuint)i * uk, x1 = x0 + uk, x2 = x1 + uk, x3 = x2 + uk;
        nuint w0 = (nuint)j * uk, w1 = w0 + uk, w2 = w1 + uk, w3 = w2 + uk;
        for (nuint p = 0; p < uk; p += Lanes)
        {
            var v0 = Vector256.LoadUnsafe(ref w, w0 + p);
            var v1 = Vector256.LoadUnsafe(ref w, w1 + p);
            var v2 = Vector256.LoadUnsafe(ref w, w2 + p);
            var v3 = Vector256.LoadUnsafe(ref w, w3 + p);
            var u = Vector256.LoadUnsafe(ref x, x0 + p);
            a00 = Vector256.FusedMultiplyAdd(v0, u, a00); a01 = Vector256.FusedMultiplyAdd(v1, u, a01);
            a02 = Vector256.FusedMultiplyAdd(v2, u, a02); a03 = Vector256.FusedMultiplyAdd(v3, u, a03);
            u = Vector256.LoadUnsafe(ref x, x1 + p);
            a10 = Vector256.FusedMultiplyAdd(v0, u, a10); a11 = Vector256.FusedMultiplyAdd(v1, u, a11);
            a12 = Vector256.FusedMultiplyAdd(v2, u, a12); a13 = Vector256.FusedMultiplyAdd(v3, u, a13);
            u = Vector256.LoadUnsafe(ref x, x2 + p);
            a20 = Vector256.FusedMultiplyAdd(v0, u, a20); a21 = Vector256.FusedMultiplyAdd(v1, u, a21);
            a22 = Vector256.FusedMultiplyAdd(v2, u, a22); a23 = Vector256.FusedMultiplyAdd(v3, u, a23);
            u = Vector256.LoadUnsafe(ref x, x3 + p);
            a30 = Vector256.FusedMultiplyAdd(v0, u, a30); a31 = Vector256.FusedMultiplyAdd(v1, u, a31);
            a32 = Vector256.FusedMultiplyAdd(v2, u, a32); a33 = Vector256.FusedMultiplyAdd(v3, u, a33);
        }
        Store4(ref y, (nint)i * n + j, a00, a01, a02, a03);
        Store4(ref y, (nint)(i + 1) * n + j, a10, a11, a12, a13);
        Store4(ref y, (nint)(i + 2) * n + j, a20, a21, a22, a23);
        Store4(ref y, (nint)(i + 3) * n + j, a30, a31, a32, a33);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1x4(ref float x, ref float w, ref float y, int i, int j, int k, int n)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var uk = (nuint)k;
        var x0 = (nuint)i * uk;
        nuint w0 = (nuint)j * uk, w1 = w0 + uk, w2 = w1 + uk, w3 = w2 + uk;
        for (nuint p = 0; p < uk; p += Lanes)
        {
            var u = Vector256.LoadUnsafe(ref x, x0 + p);
            a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, w0 + p), u, a0);
            a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, w1 + p), u, a1);
            a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, w2 + p), u, a2);
            a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, w3 + p), u, a3);
        }
        Store4(ref y, (nint)i * n + j, a0, a1, a2, a3);
    }

    private static float Dot(ref float x, ref float w, nuint xOffset, nuint wOffset, int k)
    {
        Vector256<float> a = default;
        for (nuint p = 0; p < (nuint)k; p += Lanes)
            a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref w, wOffset + p), Vector256.LoadUnsafe(ref x, xOffset + p), a);
        return Vector256.Sum(a);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4(ref float y, nint at, Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3)
    {
        Unsafe.Add(ref y, at) = Vector256.Sum(a0);
        Unsafe.Add(ref y, at + 1) = Vector256.Sum(a1);
        Unsafe.Add(ref y, at + 2) = Vector256.Sum(a2);
        Unsafe.Add(ref y, at + 3) = Vector256.Sum(a3);
    }
}
