using Akka.Configuration;

namespace Hpt.Actors.Settings;

/// <summary>Reads typed values of one HOCON section; a missing or malformed value is an error naming the full key.</summary>
public sealed class SettingsReader(Config root, string section)
{
    private readonly Config _config = root.GetConfig(section) ?? Config.Empty;

    public string Key(string name) => $"{section}.{name}";

    public string String(string name) => Read(name, () => _config.GetString(name));

    public int Int(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        var v = Read(name, () => _config.GetInt(name));
        if (v < min || v > max) throw new SettingsException(Key(name), $"{v} is out of range [{min}, {max}]");
        return v;
    }

    public long Long(string name, long min = long.MinValue) 
    {
        var v = Read(name, () => _config.GetLong(name));
        if (v < min) throw new SettingsException(Key(name), $"{v} must be at least {min}");
        return v;
    }

    public double Double(string name, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        var v = Read(name, () => _config.GetDouble(name));
        if (!double.IsFinite(v) || v < min || v > max) throw new SettingsException(Key(name), $"{v} is out of range [{min}, {max}]");
        return v;
    }

    public bool Bool(string name) => Read(name, () => _config.GetBoolean(name));

    public TimeSpan Duration(string name) => Read(name, () => _config.GetTimeSpan(name, null, allowInfinite: false));

    public IReadOnlyList<string> StringList(string name) => Read(name, () => _config.GetStringList(name).ToArray());

    public T Enum<T>(string name) where T : struct, System.Enum
    {
        var text = String(name);
        var normalized = text.Replace("-", "", StringComparison.Ordinal);
        if (System.Enum.TryParse<T>(normalized, ignoreCase: true, out var value)) return value;
        var valid = string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
        throw new SettingsException(Key(name), $"'{text}' is not one of: {valid}");
    }

    private T Read<T>(string name, Func<T> read)
    {
        if (!_config.HasPath(name)) throw new SettingsException(Key(name), "is missing");
        try
        {
            return read();
        }
        catch (Exception e) when (e is not SettingsException)
        {
            throw new SettingsException(Key(name), $"bad value '{_config.GetValue(name)}': {e.Message}");
        }
    }
}
