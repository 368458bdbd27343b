using Hpt.Model.Rope;
using Hpt.Model.Tests.Reference;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Hpt.Model.Tests;

/// <summary>
/// Logits of the C# decoder against an independent PyTorch implementation of Hugging Face's modeling code
/// (Reference/hf_decoder_reference.py) on random models with O(1) logits: Qwen2, Qwen3 (q/k norms, explicit head_dim),
/// Llama, and every supported rope_scaling type.
/// </summary>
public sealed class DecoderNumericsTests(ITestOutputHelper output)
{
    private const string Base = "\"vocab_size\":67,\"hidden_size\":64,\"intermediate_size\":96,\"num_hidden_layers\":2," +
                                "\"num_attention_heads\":4,\"num_key_value_heads\":2,\"rms_norm_eps\":1e-6,\"rope_theta\":10000," +
                                "\"max_position_embeddings\":64,\"hidden_act\":\"silu\"";

    public static TheoryData<string, string> Configs => new()
    {
        { "qwen2", "{" + Base + ",\"model_type\":\"qwen2\",\"tie_word_embeddings\":false}" },
        { "qwen2 tied", "{" + Base + ",\"model_type\":\"qwen2\",\"tie_word_embeddings\":true}" },
        { "qwen3", "{" + Base + ",\"model_type\":\"qwen3\",\"head_dim\":24,\"attention_bias\":false,\"tie_word_embeddings\":true}" },
        { "qwen3 biased", "{" + Base + ",\"model_type\":\"qwen3\",\"head_dim\":32,\"attention_bias\":true,\"tie_word_embeddings\":false}" },
        { "llama", "{" + Base + ",\"model_type\":\"llama\",\"attention_bias\":false,\"mlp_bias\":false}" },
        { "qwen2 yarn", "{" + Base + ",\"model_type\":\"qwen2\",\"rope_scaling\":{\"type\":\"yarn\",\"factor\":4.0,\"original_max_position_embeddings\":16}}" },
        { "qwen3 yarn", "{" + Base + ",\"model_type\":\"qwen3\",\"head_dim\":32,\"rope_theta\":1000000,\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4.0,\"original_max_position_embeddings\":8}}" },
        { "yarn mscale", "{" + Base + ",\"model_type\":\"qwen2\",\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":8.0,\"mscale\":0.707,\"mscale_all_dim\":1.0,\"beta_fast\":16,\"beta_slow\":2,\"truncate\":false}}" },
        { "llama3", "{" + Base + ",\"model_type\":\"llama\",\"rope_theta\":500000,\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":16}}" },
        { "linear", "{" + Base + ",\"model_type\":\"llama\",\"rope_scaling\":{\"type\":\"linear\",\"factor\":2.0}}" },
        { "rope_parameters", "{" + Base + ",\"model_type\":\"qwen3\",\"head_dim\":16,\"rope_parameters\":{\"rope_type\":\"yarn\",\"rope_theta\":50000,\"factor\":2.0,\"original_max_position_embeddings\":16}}" },
    };

    /// <summary>A random model whose logits are O(1): weights at std ~0.16, norms and biases random too.</summary>
    private static CausalLM RandomModel(ModelConfig config, long seed)
    {
        var m = CausalLM.Create(config, seed: seed);
        using var _ = no_grad();
        var gen = new TorchSharp.torch.Generator((ulong)seed + 1, CPU);
        foreach (var (name, p) in m.Weights())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal)) p.copy_(empty(p.shape).normal_(1, 0.3, generator: gen));
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) p.copy_(empty(p.shape).normal_(0, 0.3, generator: gen));
            else p.mul_(8);
        }
        return m;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Logits_match_an_independent_pytorch_implementation_of_hugging_face(string label, string json)
    {
        if (PythonReference.Interpreter is null) { output.WriteLine("SKIPPED: no python3 with torch (tools/setup.sh installs python3-torch)"); return; }
        var config = ModelConfig.FromJson(json);
        using var m = RandomModel(config, seed: 17);
        var dir = TestModels.TempDir();
        m.SavePretrained(dir);
        var rng = new Random(5);
        int[][] ids = [TestModels.RandomIds(rng, 48, 67), TestModels.RandomIds(rng, 48, 67)];

        var reference = PythonReference.Run(dir, ids);
        using var scope = NewDisposeScope();
        using var __ = no_grad();
        var logits = m.Logits(tensor(ids.SelectMany(r => r.Select(i => (long)i)).ToArray(), [2, 48]));
        var expected = tensor(reference.Logits.SelectMany(r => r.SelectMany(p => p)).ToArray(), [2, 48, 67]);
        var diff = TestModels.MaxAbsDiff(logits, expected);
        var scale = expected.abs().max().item<float>();
        var argmaxAgree = logits.argmax(-1).eq(expected.argmax(-1)).to(ScalarType.Float32).mean().item<float>();
        output.WriteLine($"{label}: max |logit diff| {diff:g3} (largest |logit| {scale:g3}), argmax agreement {argmaxAgree:P1}");
        Assert.True(scale > 1, $"{label}: the random model's logits are too small ({scale}) for the check to mean anything");
        Assert.True(diff < 2e-4 * scale, $"{label}: max |logit diff| {diff} against the reference");
        Assert.Equal(1f, argmaxAgree);

        var (inv, attention) = RopeFrequencies.Compute(config.HeadDim, config.Theta, config.MaxPositionEmbeddings, config.RopeScaling);
        Assert.Equal(reference.InvFreq.Length, inv.Length);
        for (var i = 0; i < inv.Length; i++)
            Assert.True(Math.Abs(inv[i] - reference.InvFreq[i]) <= 2e-6 * reference.InvFreq[i], $"{label}: inv_freq[{i}] {inv[i]} vs {reference.InvFreq[i]}");
        Assert.Equal(reference.AttentionScaling, attention, 1e-9);
    }

    [Theory]
    [InlineData("qwen2 yarn")]
    [InlineData("llama3")]
    [InlineData("linear")]
    public void Rope_scaling_changes_the_logits_so_ignoring_it_would_be_caught(string label)
    {
        var json = (string)Configs.Single(row => (string)row[0] == label)[1];
        var scaled = ModelConfig.FromJson(json);
        var plain = scaled with { RopeScalingValues = null };
        using var a = RandomModel(scaled, seed: 17);
        using var b = RandomModel(plain, seed: 17);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ids = tensor(TestModels.RandomIds(new Random(5), 48, 67).Select(i => (long)i).ToArray(), [1, 48]);
        var diff = TestModels.MaxAbsDiff(a.Logits(ids), b.Logits(ids));
        output.WriteLine($"{label}: max |scaled - unscaled| {diff:g3}");
        Assert.True(diff > 1e-2, $"{label}: rope scaling changed the logits by only {diff}");
    }
}
