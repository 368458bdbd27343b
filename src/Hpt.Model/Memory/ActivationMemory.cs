using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model.Memory;

/// <summary>
/// What a training micro-batch keeps for backward, per token, as the decoder in <c>Decoder.cs</c> computes it. Counted
/// tensor by tensor (elements per token and layer): each RMSNorm's normed value and output (2 x 2d); q, its rotate-half
/// copy and its rotated result (3d); k and its rotate-half copy (2kv); keys and values repeated for grouped-query SDPA
/// (2d); the SDPA output and its contiguous copy for o_proj (2d; the CPU flash kernel keeps no T x T matrix); the layer
/// input and the mid-layer residual sum (2d); the MLP's gate, up, silu and product (4 x intermediate): 13d + 2kv + 4I,
/// plus the final norm and the gathered response states (3d) once. With activation checkpointing a layer keeps only
/// its input (d), and backward rebuilds one layer's full set at a time, alive together with about as many bytes of
/// its gradients: 2 x that set (measured: docs/performance.md).
/// </summary>
public static class ActivationMemory
{
    /// <summary>Elements per token one decoder layer keeps for backward.</summary>
    public static long LayerElementsPerToken(ModelConfig c)
    {
        long d = c.HiddenSize, kv = (long)c.NumKeyValueHeads * c.HeadDim, i = c.IntermediateSize;
        return 13 * d + 2 * kv + 4 * i;
    }

    /// <summary>
    /// Bytes per token of model activations that backward needs (the vocabulary part excluded: with the recomputing
    /// scorer it is one chunk, a constant).
    /// </summary>
    public static long BytesPerToken(ModelConfig c, ScalarType dtype, bool checkpointing)
    {
        var layer = LayerElementsPerToken(c);
        var kept = checkpointing ? c.NumHiddenLayers * (long)c.HiddenSize + 2 * layer : c.NumHiddenLayers * layer;
        return (kept + 3L * c.HiddenSize) * ElementSize(dtype);
    }

    /// <summary>Bytes the vocabulary part of the recomputing scorer holds at its peak: about four chunks of fp32 logits.</summary>
    public static long VocabularyChunkBytes(long maxLogitsPerChunk) => 4 * maxLogitsPerChunk * sizeof(float);

    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => 4,
        ScalarType.BFloat16 or ScalarType.Float16 => 2,
        ScalarType.Float64 => 8,
        _ => throw new ArgumentException($"unsupported dtype {dtype}"),
    };
}
