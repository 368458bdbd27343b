using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Hpt.Model.Checkpoints;

/// <summary>
/// Writes a Hugging Face model folder: config.json, model.safetensors with <c>{"format":"pt"}</c> metadata, the
/// tokenizer files and generation_config.json copied from the source folder (a generation config derived from the
/// model config when the source has none). Checkpoints use <see cref="WriteCompanions"/> beside weights they write
/// themselves in the training dtype; exports and <c>final/</c> use <see cref="Write"/>, in the source dtype.
/// </summary>
public static class HfFolder
{
    /// <summary>Every tokenizer file transformers may read; those the source has are copied.</summary>
    public static readonly string[] TokenizerFiles =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", "vocab.json", "merges.txt", "added_tokens.json"];

    public const string GenerationConfigFile = "generation_config.json";

    /// <summary>The dtype the weights came in (config.json's torch_dtype, or "dtype" in transformers 5), else <paramref name="fallback"/>.</summary>
    public static ScalarType SourceDType(ModelConfig config, ScalarType fallback)
    {
        var name = config.TorchDtype
                   ?? (config.OtherKeys?.TryGetValue("dtype", out var d) == true && d.ValueKind == System.Text.Json.JsonValueKind.String ? d.GetString() : null);
        return name switch
        {
            "bfloat16" => ScalarType.BFloat16,
            "float16" => ScalarType.Float16,
            "float32" => ScalarType.Float32,
            _ => fallback,
        };
    }

    public static string TorchDtypeName(ScalarType t) => t switch
    {
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        ScalarType.Float32 => "float32",
        _ => throw new NotSupportedException($"no torch_dtype name for {t}"),
    };

    /// <summary>
    /// The whole folder, written into a sibling temp folder and renamed into place (an interrupted write leaves no
    /// half folder). Weights go in <paramref name="dtype"/>, by default the source dtype.
    /// </summary>
    public static void Write(CausalLM model, string? sourceFolder, string folder, ScalarType? dtype = null)
    {
        var target = Path.GetFullPath(folder);
        var temp = target + ".partial";
        if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        Directory.CreateDirectory(temp);
        var disk = dtype ?? SourceDType(model.Config, model.DType);
        WriteCompanions(model.Config, sourceFolder, temp, disk);
        SafetensorsCheckpoint.Save(model, temp, disk);
        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        Directory.Move(temp, target);
    }

    /// <summary>config.json (torch_dtype = <paramref name="dtype"/>), tokenizer files, generation_config.json; no weights.</summary>
    public static void WriteCompanions(ModelConfig config, string? sourceFolder, string folder, ScalarType dtype)
    {
        Directory.CreateDirectory(folder);
        (config with { TorchDtype = TorchDtypeName(dtype) }).Save(Path.Combine(folder, "config.json"));
        if (sourceFolder is not null)
            foreach (var name in TokenizerFiles.Append(GenerationConfigFile))
            {
                var from = Path.Combine(sourceFolder, name);
                if (File.Exists(from)) File.Copy(from, Path.Combine(folder, name), overwrite: true);
            }
        var generation = Path.Combine(folder, GenerationConfigFile);
        if (!File.Exists(generation))
        {
            var g = new JsonObject();
            if (config.BosTokenId is { } bos) g["bos_token_id"] = bos;
            if (config.EosTokenIds is { Count: > 0 } eos) g["eos_token_id"] = eos.Count == 1 ? eos[0] : new JsonArray(eos.Select(e => (JsonNode)e).ToArray());
            File.WriteAllText(generation, g.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }
    }
}
