using System.Globalization;

namespace Hpt.Core.Configuration;

/// <summary>
/// One key of <c>hpt.algorithm</c> (name relative to the section), what it means, and its type: it reads its typed
/// value from an <see cref="IAlgorithmValues"/> into the record, and spells the record's value as the configuration
/// would (<see cref="Format"/>, for logs and the key list). The list of keys is <see cref="AlgorithmSettings.Keys"/>.
/// </summary>
public abstract record AlgorithmKey(string Name, string Description)
{
    /// <summary><paramref name="config"/> with this key's value read from <paramref name="values"/>.</summary>
    public abstract AlgorithmConfig Apply(AlgorithmConfig config, IAlgorithmValues values);

    /// <summary>This key's value in <paramref name="config"/>, as HOCON text.</summary>
    public abstract string Format(AlgorithmConfig config);
}

/// <summary>A real number.</summary>
public sealed record NumberKey(string Name, string Description, Func<AlgorithmConfig, double> Get,
    Func<AlgorithmConfig, double, AlgorithmConfig> Set) : AlgorithmKey(Name, Description)
{
    public override AlgorithmConfig Apply(AlgorithmConfig config, IAlgorithmValues values) => Set(config, values.Number(Name));

    public override string Format(AlgorithmConfig config) => Get(config).ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A whole number in [<paramref name="Min"/>, <paramref name="Max"/>].</summary>
public sealed record IntegerKey(string Name, string Description, long Min, long Max, Func<AlgorithmConfig, long> Get,
    Func<AlgorithmConfig, long, AlgorithmConfig> Set) : AlgorithmKey(Name, Description)
{
    public override AlgorithmConfig Apply(AlgorithmConfig config, IAlgorithmValues values) => Set(config, values.Integer(Name, Min, Max));

    public override string Format(AlgorithmConfig config) => Get(config).ToString(CultureInfo.InvariantCulture);
}

/// <summary>Free text.</summary>
public sealed record TextKey(string Name, string Description, Func<AlgorithmConfig, string> Get,
    Func<AlgorithmConfig, string, AlgorithmConfig> Set) : AlgorithmKey(Name, Description)
{
    public override AlgorithmConfig Apply(AlgorithmConfig config, IAlgorithmValues values) => Set(config, values.Text(Name));

    public override string Format(AlgorithmConfig config) => "\"" + Get(config).Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

/// <summary>One member of an enum, spelled as <see cref="ConfigNames"/> spells it.</summary>
public sealed record ChoiceKey<T>(string Name, string Description, Func<AlgorithmConfig, T> Get,
    Func<AlgorithmConfig, T, AlgorithmConfig> Set) : AlgorithmKey(Name, Description) where T : struct, Enum
{
    public IReadOnlyList<string> Values { get; } = ConfigNames.Valid<T>();

    public override AlgorithmConfig Apply(AlgorithmConfig config, IAlgorithmValues values) =>
        Set(config, ConfigNames.Parse<T>(values.Choice(Name, Values), Name));

    public override string Format(AlgorithmConfig config) => "\"" + ConfigNames.Format(Get(config)) + "\"";
}

/// <summary>A real number, or a word that stands for a value the pipeline supplies (null in the record).</summary>
public sealed record NumberOrWordKey(string Name, string Description, string Word, Func<AlgorithmConfig, double?> Get,
    Func<AlgorithmConfig, double?, AlgorithmConfig> Set) : AlgorithmKey(Name, Description)
{
    public override AlgorithmConfig Apply(AlgorithmConfig config, IAlgorithmValues values) =>
        Set(config, string.Equals(values.Text(Name).Trim(), Word, StringComparison.OrdinalIgnoreCase) ? null : values.Number(Name));

    public override string Format(AlgorithmConfig config) =>
        Get(config) is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : Word;
}
