using static TorchSharp.torch;

namespace Hpt.Model.Tests;

public sealed class DecoderTests
{
    [Fact]
    public void Parameters_carry_the_hugging_face_names()
    {
        using var m = TestModels.Tiny();
        var names = m.Weights().Select(w => w.Name).ToHashSet();
        foreach (var n in new[]
                 {
                     "model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.q_proj.bias",
                     "model.layers.1.self_attn.k_proj.bias", "model.layers.1.self_attn.v_proj.weight", "model.layers.1.self_attn.o_proj.weight",
                     "model.layers.0.mlp.gate_proj.weight", "model.layers.0.mlp.up_proj.weight", "model.layers.0.mlp.down_proj.weight",
                     "model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight", "model.norm.weight", "lm_head.weight",
                 })
            Assert.Contains(n, names);
        Assert.DoesNotContain("model.layers.0.self_attn.o_proj.bias", names);
        Assert.Equal(2 * 12 + 3, names.Count); // per layer: q,k,v weight+bias, o, gate, up, down, 2 norms
    }

    [Fact]
    public void Llama_config_has_no_attention_bias_and_tied_models_no_lm_head()
    {
        using var llama = CausalLM.Create(TestModels.TinyConfig(modelType: "llama", tied: true));
        var names = llama.Weights().Select(w => w.Name).ToList();
        Assert.DoesNotContain(names, n => n.EndsWith(".bias", StringComparison.Ordinal));
        Assert.DoesNotContain("lm_head.weight", names);
    }

    [Fact]
    public void Same_seed_gives_the_same_weights_and_a_different_seed_does_not()
    {
        using var a = TestModels.Tiny(seed: 5);
        using var b = TestModels.Tiny(seed: 5);
        using var c = TestModels.Tiny(seed: 6);
        var wa = a.Weights(); var wb = b.Weights(); var wc = c.Weights();
        for (var i = 0; i < wa.Count; i++) Assert.Equal(TestModels.Bytes(wa[i].Param), TestModels.Bytes(wb[i].Param));
        Assert.NotEqual(TestModels.Bytes(wa[0].Param), TestModels.Bytes(wc[0].Param));
    }

    [Theory]
    [InlineData("fp32", 2e-5f)]
    [InlineData("bf16", 0.1f)]
    public void Kv_cache_decoding_equals_the_full_forward_at_every_step(string dtype, float tolerance)
    {
        using var m = TestModels.Tiny(seed: 3, dtype: dtype);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var rng = new Random(11);
        const int b = 3, t = 14, prefill = 5;
        var ids = tensor(TestModels.RandomIds(rng, b * t), [b, t], ScalarType.Int64);
        var full = m.Logits(ids); // (B, T, V)

        using var cache = KvCache.For(m, b, t);
        var h = m.Forward(ids.narrow(1, 0, prefill), cache: cache);
        cache.Advance(prefill);
        Assert.True(TestModels.MaxAbsDiff(m.LmHead(h), full.narrow(1, 0, prefill)) < tolerance);
        for (var step = prefill; step < t; step++)
        {
            var hs = m.Forward(ids.narrow(1, step, 1), cache: cache);
            cache.Advance(1);
            var diff = TestModels.MaxAbsDiff(m.LmHead(hs), full.narrow(1, step, 1));
            Assert.True(diff < tolerance, $"step {step}: max |cached - full| = {diff}");
        }
    }

    [Fact]
    public void Config_round_trips_through_hugging_face_json()
    {
        const string qwen = """
        {"architectures":["Qwen2ForCausalLM"],"attention_dropout":0.0,"bos_token_id":151643,"eos_token_id":151643,
         "hidden_act":"silu","hidden_size":1536,"initializer_range":0.02,"intermediate_size":8960,"max_position_embeddings":4096,
         "max_window_layers":21,"model_type":"qwen2","num_attention_heads":12,"num_hidden_layers":28,"num_key_value_heads":2,
         "rms_norm_eps":1e-06,"rope_theta":10000,"sliding_window":4096,"tie_word_embeddings":true,"torch_dtype":"bfloat16",
         "transformers_version":"4.37.0","use_cache":true,"use_mrope":false,"use_sliding_window":false,"vocab_size":151936}
        """;
        var c = ModelConfig.FromJson(qwen);
        Assert.Equal(1536, c.HiddenSize);
        Assert.Equal(128, c.HeadDim);
        Assert.True(c.AttentionBias);
        Assert.True(c.TieWordEmbeddings);
        Assert.Equal([151643], c.EosTokenIds!);
        var back = ModelConfig.FromJson(c.ToJson());
        Assert.Equal(c.ToJson(), back.ToJson());
        Assert.Throws<ArgumentException>(() => ModelConfig.FromJson("""{"hidden_size":64,"num_attention_heads":5}"""));
        Assert.Contains("gemma", Assert.Throws<ArgumentException>(() => ModelConfig.FromJson("""{"model_type":"gemma"}""")).Message);
        Assert.Contains("\"use_mrope\": false", c.ToJson()); // keys it does not bind are written back as they were
    }

    [Fact]
    public void Qwen3_has_per_head_q_k_norms_no_biases_and_the_configs_head_dim()
    {
        const string qwen3 = """
        {"architectures":["Qwen3ForCausalLM"],"attention_bias":false,"attention_dropout":0.0,"bos_token_id":151643,
         "eos_token_id":151645,"head_dim":24,"hidden_act":"silu","hidden_size":64,"initializer_range":0.02,
         "intermediate_size":96,"max_position_embeddings":40960,"max_window_layers":28,"model_type":"qwen3",
         "num_attention_heads":4,"num_hidden_layers":2,"num_key_value_heads":2,"rms_norm_eps":1e-06,"rope_scaling":null,
         "rope_theta":1000000,"sliding_window":null,"tie_word_embeddings":true,"torch_dtype":"bfloat16",
         "transformers_version":"4.51.0","use_cache":true,"use_sliding_window":false,"vocab_size":61}
        """;
        using var m = CausalLM.Create(ModelConfig.FromJson(qwen3));
        var shapes = m.Weights().ToDictionary(w => w.Name, w => w.Param.shape);
        Assert.Equal([24L], shapes["model.layers.0.self_attn.q_norm.weight"]);
        Assert.Equal([24L], shapes["model.layers.1.self_attn.k_norm.weight"]);
        Assert.Equal([4L * 24, 64], shapes["model.layers.0.self_attn.q_proj.weight"]);
        Assert.Equal([2L * 24, 64], shapes["model.layers.0.self_attn.k_proj.weight"]);
        Assert.Equal([64L, 4 * 24], shapes["model.layers.0.self_attn.o_proj.weight"]);
        Assert.DoesNotContain(shapes.Keys, n => n.EndsWith(".bias", StringComparison.Ordinal));
        Assert.DoesNotContain("lm_head.weight", shapes.Keys);
        Assert.Equal(2 * 11 + 2, shapes.Count); // per layer: q,k,v,o, q_norm, k_norm, gate, up, down, 2 norms
    }
}
