using System.Text.Json;

namespace Hpt.Model.Rope;

/// <summary>
/// A config's <c>rope_scaling</c> (or transformers 5's <c>rope_parameters</c>), read the way transformers'
/// <c>modeling_rope_utils</c> reads it: <c>rope_type</c>, or the legacy <c>type</c>, picks the formula; "default" is none.
/// Supported: linear, yarn (Qwen2.5 / Qwen3 long context), llama3 (Llama-3.1/3.2). Every other type, and every key a
/// type does not know, is refused by name, so a scaling this decoder would silently ignore can never load.
/// </summary>
public sealed record RopeScaling
{
    public string Type { get; init; } = "default";
    public double Factor { get; init; } = 1;
    /// <summary>yarn: the pretraining context (correction range); llama3: old_context_len. Null = max_position_embeddings (yarn).</summary>
    public int? OriginalMaxPositions { get; init; }
    public double? AttentionFactor { get; init; }
    public double? BetaFast { get; init; }
    public double? BetaSlow { get; init; }
    public double? Mscale { get; init; }
    public double? MscaleAllDim { get; init; }
    public bool Truncate { get; init; } = true;
    public double LowFreqFactor { get; init; }
    public double HighFreqFactor { get; init; }

    public static RopeScaling None { get; } = new();

    public bool IsDefault => Type == "default";

    private static readonly Dictionary<string, string[]> KeysByType = new(StringComparer.Ordinal)
    {
        ["default"] = [],
        ["linear"] = ["factor"],
        ["yarn"] = ["factor", "original_max_position_embeddings", "attention_factor", "beta_fast", "beta_slow", "mscale", "mscale_all_dim", "truncate"],
        ["llama3"] = ["factor", "original_max_position_embeddings", "low_freq_factor", "high_freq_factor"],
    };

    /// <summary>Parses the object; <paramref name="key"/> names it in errors ("rope_scaling" or "rope_parameters").</summary>
    public static RopeScaling Parse(IReadOnlyDictionary<string, JsonElement>? values, string key = "rope_scaling")
    {
        if (values is null || values.Count == 0) return None;
        string? Str(string k) => values.TryGetValue(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var type = Str("rope_type") ?? Str("type") ?? "default";
        if (!KeysByType.TryGetValue(type, out var allowed))
            throw new ArgumentException($"config: {key}.rope_type '{type}' is not supported (supported: default, linear, yarn, llama3); " +
                                        "it changes the rotary numerics, so the model cannot load without it");
        foreach (var k in values.Keys)
            if (k is not ("rope_type" or "type" or "rope_theta") && !allowed.Contains(k))
                throw new ArgumentException($"config: {key}.{k} is not a {type} rope parameter this decoder knows; it may change the numerics, so it is refused");

        double? Num(string k)
        {
            if (!values.TryGetValue(k, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Number) throw new ArgumentException($"config: {key}.{k} must be a number (got {v})");
            return v.GetDouble();
        }
        double Required(string k) => Num(k) ?? throw new ArgumentException($"config: {key}.{k} is required for rope_type '{type}'");

        var s = new RopeScaling { Type = type };
        switch (type)
        {
            case "default":
                return None;
            case "linear":
                s = s with { Factor = Required("factor") };
                break;
            case "yarn":
                var truncate = !values.TryGetValue("truncate", out var t) || t.ValueKind != JsonValueKind.False;
                s = s with
                {
                    Factor = Required("factor"), OriginalMaxPositions = (int?)Num("original_max_position_embeddings"),
                    AttentionFactor = Num("attention_factor"), BetaFast = Num("beta_fast"), BetaSlow = Num("beta_slow"),
                    Mscale = Num("mscale"), MscaleAllDim = Num("mscale_all_dim"), Truncate = truncate,
                };
                break;
            case "llama3":
                s = s with
                {
                    Factor = Required("factor"), OriginalMaxPositions = (int)Required("original_max_position_embeddings"),
                    LowFreqFactor = Required("low_freq_factor"), HighFreqFactor = Required("high_freq_factor"),
                };
                if (s.HighFreqFactor == s.LowFreqFactor)
                    throw new ArgumentException($"config: {key}.high_freq_factor must differ from low_freq_factor (both {s.LowFreqFactor})");
                break;
        }
        if (!(s.Factor > 0)) throw new ArgumentException($"config: {key}.factor must be > 0 (got {s.Factor})");
        if (s.OriginalMaxPositions is <= 0) throw new ArgumentException($"config: {key}.original_max_position_embeddings must be > 0");
        return s;
    }
}
