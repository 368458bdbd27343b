using Hpt.Model.Checkpoints;

namespace Hpt.Actors.Settings;

/// <summary>
/// `hpt.rollout`: the rollout workers and how they sample. temperature, top-p and top-k may be "auto": the model
/// folder's generation_config.json value when it samples (do_sample true), else plain sampling (1, 1, 0).
/// </summary>
public sealed record RolloutSettings(IReadOnlyList<string> Devices, double Temperature, double TopP, int TopK, int MaxNewTokens)
{
    /// <summary>The keys whose value came from generation_config.json (for the start-up line).</summary>
    public IReadOnlyList<string> FromGenerationConfig { get; init; } = [];

    public static RolloutSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.rollout");
        var devices = r.StringList("devices");
        if (devices.Count == 0) throw new SettingsException(r.Key("devices"), "needs at least one device");
        var path = new SettingsReader(root, "hpt.model").String("path");
        var generation = path.Length > 0 && Directory.Exists(path) ? GenerationConfig.Load(path) : GenerationConfig.None;
        var fromFile = new List<string>();

        double Auto(string key, double? fromConfig, double fallback, double max)
        {
            if (r.String(key) != "auto") return r.Double(key, min: 0, max: max);
            if (fromConfig is not { } v) return fallback;
            if (v < 0 || v > max) throw new SettingsException(r.Key(key), $"generation_config.json gives {v}, outside [0, {max}]");
            fromFile.Add(key);
            return v;
        }

        var temperature = Auto("temperature", generation.Temperature, 1.0, double.PositiveInfinity);
        var topP = Auto("top-p", generation.TopP, 1.0, 1);
        var topK = (int)Auto("top-k", generation.TopK, 0, int.MaxValue);
        // 0 keeps no token at all: the sampler refuses it, so it must never reach a worker (a crash loop otherwise).
        if (topP <= 0) throw new SettingsException(r.Key("top-p"), $"{topP} must be in (0, 1] (1 = off)");
        if (devices.FirstOrDefault(d => d.Trim().Length == 0) is not null) throw new SettingsException(r.Key("devices"), "has an empty entry");
        return new RolloutSettings(devices, temperature, topP, topK, r.Int("max-new-tokens", min: 1)) { FromGenerationConfig = fromFile };
    }

    /// <summary>"temperature 0.7, top-p 0.8, top-k 20 (from generation_config.json: ...)"; for the start-up line.</summary>
    public string DescribeSampling() =>
        $"temperature {Temperature}, top-p {TopP}, top-k {TopK}" +
        (FromGenerationConfig.Count > 0 ? $" ({string.Join(", ", FromGenerationConfig)} from the model's generation_config.json)" : "");
}
