namespace Hpt.Model.Tests;

public sealed class ConfigKeysTests
{
    private const string Base = "\"model_type\":\"qwen2\",\"vocab_size\":61,\"hidden_size\":64,\"intermediate_size\":96," +
                                "\"num_hidden_layers\":1,\"num_attention_heads\":4,\"num_key_value_heads\":2";

    private static string Refusal(string extra) =>
        Assert.Throws<ArgumentException>(() => ModelConfig.FromJson("{" + Base + "," + extra + "}")).Message;

    [Theory]
    [InlineData("\"rope_scaling\":{\"rope_type\":\"longrope\",\"long_factor\":[1],\"short_factor\":[1]}", "longrope")]
    [InlineData("\"rope_scaling\":{\"type\":\"dynamic\",\"factor\":2.0}", "dynamic")]
    [InlineData("\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4.0,\"finetuned\":true}", "rope_scaling.finetuned")]
    [InlineData("\"rope_scaling\":{\"rope_type\":\"llama3\",\"factor\":8.0,\"original_max_position_embeddings\":8192}", "low_freq_factor")]
    [InlineData("\"rope_scaling\":{\"rope_type\":\"yarn\"}", "rope_scaling.factor")]
    [InlineData("\"use_sliding_window\":true", "use_sliding_window")]
    [InlineData("\"use_mrope\":true", "use_mrope")]
    [InlineData("\"hidden_act\":\"gelu\"", "hidden_act")]
    [InlineData("\"attention_dropout\":0.1", "attention_dropout")]
    [InlineData("\"partial_rotary_factor\":0.5", "partial_rotary_factor")]
    [InlineData("\"layer_types\":[\"sliding_attention\"]", "layer_types")]
    [InlineData("\"quantization_config\":{\"quant_method\":\"gptq\"}", "quantization_config")]
    [InlineData("\"logits_soft_cap\":30.0", "logits_soft_cap")]
    public void A_key_that_would_change_the_numerics_is_refused_by_name(string extra, string named) =>
        Assert.Contains(named, Refusal(extra));

    [Fact]
    public void Metadata_and_neutral_settings_load()
    {
        var c = ModelConfig.FromJson("{" + Base + ",\"architectures\":[\"Qwen2ForCausalLM\"],\"_name_or_path\":\"x\",\"use_sliding_window\":false," +
                                     "\"sliding_window\":4096,\"max_window_layers\":21,\"attention_dropout\":0.0,\"hidden_act\":\"silu\"," +
                                     "\"layer_types\":[\"full_attention\"],\"rope_scaling\":{\"rope_type\":\"default\"},\"pad_token_id\":0}");
        Assert.True(c.RopeScaling.IsDefault);
        var yarn = ModelConfig.FromJson("{" + Base + ",\"rope_scaling\":{\"type\":\"yarn\",\"factor\":4.0,\"original_max_position_embeddings\":32768}}");
        Assert.Equal("yarn", yarn.RopeScaling.Type);
        Assert.Equal(4.0, yarn.RopeScaling.Factor);
        Assert.Equal(32768, yarn.RopeScaling.OriginalMaxPositions);
        Assert.Contains("\"original_max_position_embeddings\": 32768", yarn.ToJson());
    }
}
