using System.Text.Json;

namespace Hpt.Model.Checkpoints;

/// <summary>
/// The sampling settings of a model folder's <c>generation_config.json</c>. Only values that mean something with
/// sampling on are taken: a file with <c>do_sample: false</c> (greedy decoding, as Qwen's base models ship) gives none,
/// since greedy rollouts would make every sample of a group the same.
/// </summary>
public sealed record GenerationConfig(double? Temperature, double? TopP, int? TopK)
{
    public static GenerationConfig None { get; } = new(null, null, null);

    /// <summary>The folder's settings, or <see cref="None"/> when it has no generation_config.json.</summary>
    public static GenerationConfig Load(string folder)
    {
        var path = Path.Combine(folder, HfFolder.GenerationConfigFile);
        if (!File.Exists(path)) return None;
        JsonElement root;
        try { root = JsonDocument.Parse(File.ReadAllBytes(path)).RootElement; }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e); }
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path} is not a JSON object");
        if (!root.TryGetProperty("do_sample", out var doSample) || doSample.ValueKind != JsonValueKind.True) return None;
        double? Num(string key) => root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        return new GenerationConfig(Num("temperature"), Num("top_p"), Num("top_k") is { } k ? (int)k : null);
    }
}
