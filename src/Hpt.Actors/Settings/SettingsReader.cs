using Akka.Configuration;

namespace Hpt.Actors.Settings;

/// <summary>
/// Reads typed values of one HOCON section; a missing or malformed value is an error naming the full key. Every
/// default comes from hocon/ (a missing key is an error, never a fallback), and every read is noted for
/// <see cref="BoundKeys"/>.
/// </summary>
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

    public long Long(string name, long min = long.MinValue, long max = long.MaxValue)
    {
        var v = Read(name, () => _config.GetLong(name));
        if (v < min || v > max) throw new SettingsException(Key(name), $"{v} is out of range [{min}, {max}]");
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

    /// <summary>A size in bytes (<c>8MiB</c>, <c>128000</c>) in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Bytes(string name, long min, long max)
    {
        var v = Read(name, () => _config.GetByteSize(name)) ?? throw new SettingsException(Key(name), "is not a size in bytes");
        if (v < min || v > max) throw new SettingsException(Key(name), $"{v} bytes is out of range [{min}, {max}]");
        return v;
    }

    public IReadOnlyList<string> StringList(string name) => Read(name, () => _config.GetStringList(name).ToArray());

    /// <summary>One of <paramref name="values"/> (compared ignoring case), as written.</summary>
    public string Choice(string name, IReadOnlyList<string> values)
    {
        var text = String(name).Trim();
        if (values.Contains(text, StringComparer.OrdinalIgnoreCase)) return text;
        throw new SettingsException(Key(name), $"'{text}' is not one of: {string.Join(", ", values)}");
    }

    public T Enum<T>(string name) where T : struct, System.Enum
    {
        var text = String(name);
        var normalized = text.Trim().Replace("-", "", StringComparison.Ordinal);
        // By name only: Enum.TryParse would also take "3" as the member with that number.
        if (System.Enum.GetNames<T>().FirstOrDefault(n => n.Equals(normalized, StringComparison.OrdinalIgnoreCase)) is { } member)
            return System.Enum.Parse<T>(member);
        var valid = string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
        throw new SettingsException(Key(name), $"'{text}' is not one of: {valid}");
    }

    private T Read<T>(string name, Func<T> read)
    {
        BoundKeys.Note(Key(name));
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
