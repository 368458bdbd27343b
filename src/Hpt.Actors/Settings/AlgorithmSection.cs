using Akka.Configuration;
using Hpt.Core.Configuration;

namespace Hpt.Actors.Settings;

/// <summary>`hpt.algorithm`: a preset plus single-field overrides, handed to Core's algorithm settings.</summary>
public static class AlgorithmSection
{
    public const string Prefix = "hpt.algorithm.";

    public static AlgorithmConfig Create(Config root)
    {
        var section = root.GetConfig("hpt.algorithm") ?? Config.Empty;
        var settings = HptConfig.Paths(section)
            .Select(path => new KeyValuePair<string, string>("algorithm." + path, section.GetString(path)))
            .ToArray();
        try
        {
            return AlgorithmSettings.FromSettings(settings);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            var key = settings.Select(s => s.Key).FirstOrDefault(k => e.Message.Contains(k, StringComparison.Ordinal)) ?? "algorithm";
            throw new SettingsException("hpt." + key, e.Message);
        }
    }
}
