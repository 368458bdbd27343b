namespace Hpt.Actors.Settings;

/// <summary>`hpt.rollout`: the rollout workers and how they sample.</summary>
public sealed record RolloutSettings(IReadOnlyList<string> Devices, double Temperature, double TopP, int TopK, int MaxNewTokens)
{
    public static RolloutSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.rollout");
        var devices = r.StringList("devices");
        if (devices.Count == 0) throw new SettingsException(r.Key("devices"), "needs at least one device");
        return new RolloutSettings(devices, r.Double("temperature", min: 0), r.Double("top-p", min: 0, max: 1),
            r.Int("top-k", min: 0), r.Int("max-new-tokens", min: 1));
    }
}
