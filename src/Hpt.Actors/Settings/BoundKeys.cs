namespace Hpt.Actors.Settings;

/// <summary>
/// The configuration keys that the settings classes read (through <see cref="SettingsReader"/>) while a scope is open.
/// The every-key-bound test binds every section inside one and compares the keys read with those hocon/ holds: a
/// key that nothing reads is dead, and a key read that hocon/ does not hold has its default somewhere in code.
/// </summary>
public static class BoundKeys
{
    private static readonly AsyncLocal<HashSet<string>?> Current = new();

    /// <summary>The full keys (<c>hpt.pipeline.verifiers</c>) read while <paramref name="bind"/> runs on this flow.</summary>
    public static IReadOnlySet<string> During(Action bind)
    {
        var outer = Current.Value;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        Current.Value = keys;
        try
        {
            bind();
        }
        finally
        {
            Current.Value = outer;
        }
        return keys;
    }

    internal static void Note(string key) => Current.Value?.Add(key);
}
