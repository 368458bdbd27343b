using System.Text.Json;
using System.Text.Json.Serialization;
using Hpt.Model.Rope;

namespace Hpt.Model;

/// <summary>
/// Architecture of a Qwen2 / Qwen3 / Llama decoder, read from and written to a Hugging Face <c>config.json</c>.
/// Property names are the Hugging Face keys, so a real checkpoint folder's config loads unchanged. Keys this record does
/// not bind are kept (and written back on save); <see cref="ConfigKeys"/> refuses those that would change the numerics.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>"qwen2", "qwen3", "llama" or "mistral". Decides the bias and q/k-norm layout.</summary>
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "qwen2";
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 151_936;
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 896;
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 4_864;
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 24;
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 14;
    [JsonPropertyName("num_key_value_heads")] public int NumKeyValueHeads { get; init; } = 2;
    /// <summary>Explicit head width; Hugging Face omits it when it is hidden_size / num_attention_heads.</summary>
    [JsonPropertyName("head_dim")] public int? HeadDimOverride { get; init; }
    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; init; } = 1e-6;
    /// <summary>The paper edits Qwen2.5-Math to 40000 with 16384 positions; both are plain config values here.</summary>
    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 10_000;
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 4_096;
    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; }
    /// <summary>q/k/v projection bias. Qwen2 always has it (its config has no key for it); Llama states "attention_bias".</summary>
    [JsonPropertyName("attention_bias")] public bool? AttentionBiasOverride { get; init; }
    [JsonPropertyName("bos_token_id")] public int? BosTokenId { get; init; }
    /// <summary>Hugging Face allows an int or a list here; both are read into a list.</summary>
    [JsonPropertyName("eos_token_id")]
    [JsonConverter(typeof(IntOrIntListConverter))]
    public IReadOnlyList<int>? EosTokenIds { get; init; }
    [JsonPropertyName("torch_dtype")] public string? TorchDtype { get; init; }
    /// <summary>Rotary scaling as the file states it (see <see cref="RopeScaling"/> for the parsed form).</summary>
    [JsonPropertyName("rope_scaling")] public Dictionary<string, JsonElement>? RopeScalingValues { get; init; }
    /// <summary>transformers 5's name for rope_scaling, which also carries rope_theta.</summary>
    [JsonPropertyName("rope_parameters")] public Dictionary<string, JsonElement>? RopeParametersValues { get; init; }
    /// <summary>Every other key of the file, kept so a saved config says what the loaded one said.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? OtherKeys { get; init; }

    [JsonIgnore] public int HeadDim => HeadDimOverride ?? HiddenSize / NumAttentionHeads;
    /// <summary>q/k/v bias: Qwen2 always, the others as "attention_bias" says (default false).</summary>
    [JsonIgnore] public bool AttentionBias => AttentionBiasOverride ?? ModelType == "qwen2";
    /// <summary>o_proj bias: never in Qwen2 (it hard-codes none); Qwen3 and Llama follow attention_bias.</summary>
    [JsonIgnore] public bool OutputBias => ModelType != "qwen2" && AttentionBias;
    /// <summary>Qwen3's per-head RMSNorm of queries and keys before the rotation.</summary>
    [JsonIgnore] public bool QkNorm => ModelType == "qwen3";
    [JsonIgnore] public RopeScaling RopeScaling =>
        RopeParametersValues is { Count: > 0 } p ? RopeScaling.Parse(p, "rope_parameters") : RopeScaling.Parse(RopeScalingValues);
    /// <summary>The rotary base: rope_parameters.rope_theta when the file uses that form, else rope_theta.</summary>
    [JsonIgnore] public double Theta =>
        RopeParametersValues is { } p && p.TryGetValue("rope_theta", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : RopeTheta;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent field.</summary>
    public ModelConfig Validate()
    {
        void Positive(int v, string name) { if (v <= 0) throw new ArgumentException($"config: {name} must be > 0 (got {v})"); }
        Positive(VocabSize, "vocab_size"); Positive(HiddenSize, "hidden_size"); Positive(IntermediateSize, "intermediate_size");
        Positive(NumHiddenLayers, "num_hidden_layers"); Positive(NumAttentionHeads, "num_attention_heads");
        Positive(NumKeyValueHeads, "num_key_value_heads"); Positive(MaxPositionEmbeddings, "max_position_embeddings");
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            throw new ArgumentException($"config: num_attention_heads ({NumAttentionHeads}) must be a multiple of num_key_value_heads ({NumKeyValueHeads})");
        if (HeadDimOverride is null && HiddenSize % NumAttentionHeads != 0)
            throw new ArgumentException($"config: hidden_size ({HiddenSize}) must be a multiple of num_attention_heads ({NumAttentionHeads})");
        if (ModelType is not ("qwen2" or "qwen3" or "llama" or "mistral"))
            throw new ArgumentException($"config: model_type '{ModelType}' is not supported (qwen2, qwen3, llama and mistral dense decoders are)");
        if (HeadDim % 2 != 0) throw new ArgumentException($"config: head_dim ({HeadDim}) must be even for rotary embeddings");
        if (RopeScalingValues is { Count: > 0 } && RopeParametersValues is { Count: > 0 })
            throw new ArgumentException("config: both rope_scaling and rope_parameters are set; keep one");
        _ = RopeScaling; // parses, refusing unknown types and keys by name
        ConfigKeys.Check(this);
        return this;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static ModelConfig FromJson(string json) =>
        (JsonSerializer.Deserialize<ModelConfig>(json, JsonOptions) ?? throw new ArgumentException("config: empty JSON")).Validate();

    /// <summary>Reads <c>config.json</c> from a checkpoint folder, or a JSON file path.</summary>
    public static ModelConfig Load(string pathOrFolder)
    {
        var path = Directory.Exists(pathOrFolder) ? Path.Combine(pathOrFolder, "config.json") : pathOrFolder;
        if (!File.Exists(path)) throw new FileNotFoundException($"config: no config.json at {path}", path);
        try { return FromJson(File.ReadAllText(path)); }
        catch (JsonException e) { throw new ArgumentException($"config: {path} is not valid JSON: {e.Message}", e); }
    }

    public string ToJson() => JsonSerializer.Serialize(this with { AttentionBiasOverride = AttentionBias }, JsonOptions);

    public void Save(string path) => File.WriteAllText(path, ToJson());

    /// <summary>A few-layer Qwen2-shaped model that runs on a CPU in tests and built-in tasks (same code as the real ones).</summary>
    public static ModelConfig Tiny(int vocabSize, int hiddenSize = 64, int layers = 2, int heads = 4, int kvHeads = 2, int maxPositions = 512) => new ModelConfig
    {
        ModelType = "qwen2",
        VocabSize = vocabSize,
        HiddenSize = hiddenSize,
        IntermediateSize = hiddenSize * 4,
        NumHiddenLayers = layers,
        NumAttentionHeads = heads,
        NumKeyValueHeads = kvHeads,
        MaxPositionEmbeddings = maxPositions,
        RopeTheta = 10_000,
        TieWordEmbeddings = false,
    }.Validate();

    /// <summary>Qwen2.5-Math-1.5B with the paper's rope edit (theta 40000, 16384 positions); for shape checks and benchmarks.</summary>
    public static ModelConfig Qwen25Math15B => new()
    {
        ModelType = "qwen2", VocabSize = 151_936, HiddenSize = 1_536, IntermediateSize = 8_960, NumHiddenLayers = 28,
        NumAttentionHeads = 12, NumKeyValueHeads = 2, RmsNormEps = 1e-6, RopeTheta = 40_000, MaxPositionEmbeddings = 16_384,
        TieWordEmbeddings = true, BosTokenId = 151_643, EosTokenIds = [151_643],
    };

    private sealed class IntOrIntListConverter : JsonConverter<IReadOnlyList<int>?>
    {
        public override IReadOnlyList<int>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null) return null;
            if (reader.TokenType == JsonTokenType.Number) return [reader.GetInt32()];
            var list = new List<int>();
            if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("eos_token_id must be an int or a list of ints");
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) list.Add(reader.GetInt32());
            return list;
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<int>? value, JsonSerializerOptions options)
        {
            if (value is null) { writer.WriteNullValue(); return; }
            if (value.Count == 1) { writer.WriteNumberValue(value[0]); return; }
            writer.WriteStartArray();
            foreach (var v in value) writer.WriteNumberValue(v);
            writer.WriteEndArray();
        }
    }
}
