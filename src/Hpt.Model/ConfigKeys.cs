using System.Text.Json;

namespace Hpt.Model;

/// <summary>
/// The config.json keys <see cref="ModelConfig"/> does not bind, sorted into three kinds: metadata that never changes
/// the numerics (kept as is), switches this decoder implements only in their neutral setting (refused otherwise, naming
/// key and value), and everything else, refused by name: a key it has never heard of might change the model's output,
/// and a silently different model is worse than a clear refusal.
/// </summary>
public static class ConfigKeys
{
    /// <summary>Keys with no effect on a forward pass: provenance, ids, init, caching, and generation defaults of old files.</summary>
    private static readonly HashSet<string> Neutral = new(StringComparer.Ordinal)
    {
        "architectures", "transformers_version", "dtype", "use_cache", "initializer_range", "pad_token_id", "auto_map",
        "id2label", "label2id", "output_attentions", "output_hidden_states", "return_dict", "tokenizer_class",
        "keys_to_ignore_at_inference", "is_decoder", "is_encoder_decoder", "add_cross_attention", "tie_encoder_decoder",
        "problem_type", "finetuning_task", "prefix", "sep_token_id", "decoder_start_token_id", "task_specific_params",
        "torchscript", "use_bfloat16", "pruned_heads", "chunk_size_feed_forward", "cross_attention_hidden_size",
        "tf_legacy_loss", "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups",
        "diversity_penalty", "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty",
        "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
        "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
        "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens", "bos_token", "eos_token",
        // Tensor-parallel slicing of the same matmuls (Llama); only float rounding differs.
        "pretraining_tp",
        // Only read when use_sliding_window is true, which is refused below.
        "sliding_window", "max_window_layers",
    };

    public static void Check(ModelConfig c)
    {
        if (c.OtherKeys is null) return;
        foreach (var (key, v) in c.OtherKeys)
        {
            if (key.StartsWith('_') || Neutral.Contains(key))
            {
                if (key == "sliding_window" && c.ModelType == "mistral" && v.ValueKind != JsonValueKind.Null)
                    throw Refuse(key, v, "Mistral applies it whenever it is set, and sliding-window attention is not implemented");
                continue;
            }
            switch (key)
            {
                case "hidden_act":
                    if (v.ValueKind != JsonValueKind.String || v.GetString() is not ("silu" or "swish"))
                        throw Refuse(key, v, "only the SwiGLU (silu) feed-forward is implemented");
                    break;
                case "attention_dropout" or "hidden_dropout" or "mlp_dropout":
                    if (v.ValueKind != JsonValueKind.Number || v.GetDouble() != 0)
                        throw Refuse(key, v, "dropout is not implemented (training would differ from Hugging Face's)");
                    break;
                case "use_sliding_window" or "use_mrope" or "mlp_bias":
                    if (v.ValueKind != JsonValueKind.False)
                        throw Refuse(key, v, "only its false setting is implemented");
                    break;
                case "partial_rotary_factor":
                    if (v.ValueKind != JsonValueKind.Number || v.GetDouble() != 1)
                        throw Refuse(key, v, "partial rotary embeddings are not implemented");
                    break;
                case "layer_types":
                    if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String || e.GetString() != "full_attention"))
                        throw Refuse(key, v, "only full-attention layers are implemented (no sliding-window layers)");
                    break;
                default:
                    throw new ArgumentException(
                        $"config: key '{key}' is not known to this decoder and may change its numerics, so the model is refused " +
                        "(remove it from config.json if it is only metadata)");
            }
        }
    }

    private static ArgumentException Refuse(string key, JsonElement value, string why) =>
        new($"config: {key} = {value.GetRawText()} is not supported: {why}");
}
