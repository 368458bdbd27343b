using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model;

/// <summary>
/// Where a model lives and in which precision. Parameters are created there directly (no move after construction),
/// so the same code serves the CPU default and a CUDA device named in the configuration.
/// </summary>
/// <param name="Device">"cpu", "cuda" or "cuda:N".</param>
/// <param name="DType">"fp32" (default) or "bf16". fp16 is accepted but is ~200x slower than fp32 on CPUs.</param>
public sealed record ModelOptions(string Device = "cpu", string DType = "fp32")
{
    public static ModelOptions Cpu { get; } = new();

    /// <summary>
    /// How many ids the tokenizer has, when fewer than the config's vocab_size (Qwen pads its embedding to 151936 rows
    /// for ~151.7k ids). Logits then cover only these ids, so the sampler can never draw an id the tokenizer cannot
    /// decode and the scorer normalises over exactly the same set (the staleness-0 ratio stays 1). Null = vocab_size.
    /// </summary>
    public int? TokenCount { get; init; }

    public Device TorchDevice
    {
        get
        {
            var d = torch.device(Device);
            if (d.type == DeviceType.CUDA && !torch.cuda.is_available())
                throw new InvalidOperationException($"device '{Device}' requested but CUDA is not available in this TorchSharp build/backend (build with -p:TorchBackend=cuda or external)");
            return d;
        }
    }

    public ScalarType ScalarType => ParseDType(DType);

    public static ScalarType ParseDType(string dtype) => dtype.ToLowerInvariant() switch
    {
        "fp32" or "float32" or "float" or "f32" => ScalarType.Float32,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        "fp16" or "float16" or "half" or "f16" => ScalarType.Float16,
        _ => throw new ArgumentException($"unknown dtype '{dtype}' (expected fp32, bf16 or fp16)"),
    };
}
