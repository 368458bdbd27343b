using Hpt.Model;

namespace Hpt.Diagnostics;

/// <summary>
/// What <see cref="GpuCheck"/> runs and at which sizes. The defaults are the GPU-machine run (seconds on an H100);
/// CPU sizes apply when the checks fall back to the CPU, and tests shrink both.
/// </summary>
public sealed record GpuCheckOptions
{
    /// <summary>
    /// "auto": the CUDA checks run when the NVIDIA driver reports a device, else they are skipped ("no CUDA") and the
    /// checks run on the CPU; "cuda" or "cuda:N": CUDA is required (no CUDA is a failure); "cpu": CPU checks only.
    /// </summary>
    public string Device { get; init; } = "auto";

    /// <summary>Backend, versions and CUDA initialisation plus one tiny tensor op; no numerics or speed checks.</summary>
    public bool Quick { get; init; }

    /// <summary>bf16 matmul n x n x n on CUDA (the 8192^3) and on the CPU fallback.</summary>
    public int CudaMatmulSize { get; init; } = 8_192;
    public int CpuMatmulSize { get; init; } = 512;
    public int MatmulRepeats { get; init; } = 20;

    /// <summary>Causal SDPA (batch, heads, sequence, head dim) in bf16, on CUDA and on the CPU fallback.</summary>
    public (int Batch, int Heads, int Seq, int HeadDim) CudaSdpa { get; init; } = (4, 16, 2_048, 128);
    public (int Batch, int Heads, int Seq, int HeadDim) CpuSdpa { get; init; } = (1, 4, 128, 64);

    /// <summary>The decoder of the train-step and decode checks (random init, same seed on both devices).</summary>
    public ModelConfig Model { get; init; } = ModelConfig.Tiny(vocabSize: 512, hiddenSize: 128, layers: 2, heads: 4, kvHeads: 2);
    public int TrainBatch { get; init; } = 4;
    public int TrainSeq { get; init; } = 64;
    public int DecodeBatch { get; init; } = 4;
    public int DecodePrompt { get; init; } = 8;
    public int DecodeSteps { get; init; } = 16;

    /// <summary>Folder for the safetensors round trip (a unique file inside it is deleted afterwards); null = system temp.</summary>
    public string? TempDir { get; init; }

    public long Seed { get; init; } = 1;

    /// <summary>Tolerances (max absolute difference unless named relative).</summary>
    public GpuCheckTolerances Tolerances { get; init; } = new();
}

/// <summary>Pass/fail limits. bf16 limits allow for bf16 rounding (2^-8 relative); fp32 limits for reduction-order noise.</summary>
public sealed record GpuCheckTolerances
{
    /// <summary>bf16 matmul against the fp32 matmul of the same (bf16-valued) inputs, relative to the largest output.</summary>
    public double MatmulRelative { get; init; } = 1e-2;
    /// <summary>bf16 causal SDPA: flash-enabled against math-only, and each against an explicit fp32 reference.</summary>
    public double SdpaBf16 { get; init; } = 5e-2;
    /// <summary>fp32 decoder logits, device against CPU (train forward and every KV-cache decode step).</summary>
    public double LogitsFp32 { get; init; } = 1e-3;
    /// <summary>fp32 loss, device against CPU, relative (before and after one AdamW step).</summary>
    public double LossRelative { get; init; } = 1e-4;
    /// <summary>The same after one AdamW step: Adam's first step is about lr * sign(grad), so near-zero gradients may flip.</summary>
    public double LossAfterStepRelative { get; init; } = 1e-3;
    /// <summary>bf16 loss on the device against the fp32 loss, relative.</summary>
    public double LossBf16Relative { get; init; } = 5e-2;
}
