using Hpt.Model.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Hpt.Model.Weights;

/// <summary>
/// Moves policy weights between model instances: in-process publishing from the learner to rollout workers (one
/// <see cref="CopyInto"/> per worker per version, no intermediate buffer), and flat snapshots as safetensors bytes or
/// files (self-describing, so a snapshot also loads into a model on another device or dtype).
/// </summary>
public static class PolicyWeights
{
    /// <summary>
    /// Copies every parameter of <paramref name="source"/> into <paramref name="target"/> in place (dtype and device
    /// convert as needed). Both must have the same parameter names and shapes. Not safe while <paramref name="target"/>
    /// is generating: the caller serialises it with its own use of the target.
    /// </summary>
    public static void CopyInto(CausalLM source, CausalLM target)
    {
        var src = source.Weights();
        var dst = target.Weights();
        if (src.Count != dst.Count) throw new ArgumentException($"weight copy: source has {src.Count} parameters, target {dst.Count} (different configs)");
        using var _ = no_grad();
        for (var i = 0; i < src.Count; i++)
        {
            var (name, s) = src[i];
            var (dname, d) = dst[i];
            if (name != dname || !s.shape.SequenceEqual(d.shape))
                throw new ArgumentException($"weight copy: parameter {i} is '{name}' [{string.Join(", ", s.shape)}] in the source but '{dname}' [{string.Join(", ", d.shape)}] in the target");
            d.copy_(s);
        }
    }

    /// <summary>A snapshot of all parameters as safetensors bytes (optionally stored as "bf16" etc.).</summary>
    public static byte[] ToBytes(CausalLM model, string? diskDType = null)
    {
        using var ms = new MemoryStream();
        SafetensorsFile.Write(ms, Named(model), diskDType is null ? null : ModelOptions.ParseDType(diskDType));
        return ms.ToArray();
    }

    /// <summary>Loads a <see cref="ToBytes"/> snapshot into <paramref name="model"/> (names and shapes must match).</summary>
    public static void FromBytes(CausalLM model, byte[] snapshot)
    {
        using var file = SafetensorsFile.Open(new MemoryStream(snapshot, writable: false), "<weights snapshot>");
        foreach (var (name, p) in model.Weights()) file.ReadInto(name, p);
    }

    /// <summary>A safetensors file with Hugging Face's <c>{"format":"pt"}</c> metadata, so a checkpoint folder loads in transformers.</summary>
    public static void Save(CausalLM model, string path, string? diskDType = null) =>
        SafetensorsFile.Write(path, Named(model), diskDType is null ? null : ModelOptions.ParseDType(diskDType), PtFormat);

    private static readonly Dictionary<string, string> PtFormat = new() { ["format"] = "pt" };

    public static void Load(CausalLM model, string path) => SafetensorsCheckpoint.LoadInto(model, path);

    private static IEnumerable<(string, Tensor)> Named(CausalLM model) => model.Weights().Select(w => (w.Name, (Tensor)w.Param));
}
