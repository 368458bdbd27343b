namespace Hpt.Actors.Settings;

/// <summary>`hpt.rollout`: the rollout workers and how they sample.</summary>
public sealed record RolloutSettings(IReadOnlyList<string> Devices, double Temperature, double TopP, int TopK, int MaxNewTokens)
{
    public static RolloutSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.rollout");
        var devices = r.StringList("devices");
        if (devices.Count == 0) throw new SettingsException(r.Key("devices"), "needs at least one device");
        var topP = r.Double("top-p", min: 0, max: 1);
        // 0 keeps no token at all: the sampler refuses it, so it must never reach a worker (a crash loop otherwise).
        if (topP <= 0) throw new SettingsException(r.Key("top-p"), $"{topP} must be in (0, 1] (1 = off)");
        var settings = new RolloutSettings(devices, r.Double("temperature", min: 0), topP, r.Int("top-k", min: 0), r.Int("max-new-tokens", min: 1));
        if (devices.FirstOrDefault(d => d.Trim().Length == 0) is not null) throw new SettingsException(r.Key("devices"), "has an empty entry");
        return settings;
    }
}
