namespace Hpt.Actors.Settings;

/// <summary>A configuration key is unknown or has a bad value; the message names the key.</summary>
public sealed class SettingsException(string key, string problem)
    : Exception($"configuration key '{key}': {problem}")
{
    public string Key { get; } = key;
}
