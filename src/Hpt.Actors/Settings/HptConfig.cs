using System.Reflection;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace Hpt.Actors.Settings;

/// <summary>
/// Loads an hpt configuration: command-line overrides, then an optional user file, over the reference files of
/// hocon/ (embedded in this assembly). Every `hpt.*` key the user sets must exist in the reference: a typo is an
/// error that names the key, not a silently ignored setting.
/// </summary>
public static class HptConfig
{
    private static readonly Lazy<Config> ReferenceConfig = new(LoadReference);

    /// <summary>Every hocon/*.conf file merged: the defaults.</summary>
    public static Config Reference => ReferenceConfig.Value;

    public static Config Load(string? userFile = null, IEnumerable<string>? overrides = null, Config? extra = null)
    {
        // Highest precedence first: the command line (its last --set of a key wins, as with every CLI), then the
        // program's own layer, then the file.
        var layers = new List<(string Source, Config Config)>();
        foreach (var assignment in (overrides ?? []).Reverse())
            layers.Add(($"--set {assignment}", ParseOverride(assignment)));
        if (extra is not null) layers.Add(("(program)", extra));
        if (!string.IsNullOrEmpty(userFile))
        {
            if (!File.Exists(userFile)) throw new FileNotFoundException($"configuration file not found: {userFile}", userFile);
            var text = File.ReadAllText(userFile);
            HoconBraces.Check(text, userFile);
            var file = Parse(text, userFile);
            RejectForeignRoots(file, userFile);
            layers.Add((userFile, file));
        }

        foreach (var (source, layer) in layers) RejectUnknownKeys(layer, source);
        var merged = Reference;
        for (var i = layers.Count - 1; i >= 0; i--) merged = layers[i].Config.WithFallback(merged);
        return merged;
    }

    /// <summary>`a.b.c=value`: the value is HOCON, so lists, durations and quoted strings work as in a file.</summary>
    private static Config ParseOverride(string assignment)
    {
        var eq = assignment.IndexOf('=');
        if (eq <= 0) throw new SettingsException(assignment, "an override must look like key=value");
        var key = assignment[..eq].Trim();
        var value = assignment[(eq + 1)..].Trim();
        if (!key.StartsWith("hpt.", StringComparison.Ordinal) && !key.StartsWith("akka.", StringComparison.Ordinal))
            key = "hpt." + key;
        return Parse($"{key} = {(NeedsQuotes(value) ? Quote(value) : value)}", $"--set {assignment}");
    }

    private static bool NeedsQuotes(string value) =>
        value.Length == 0 || (!value.StartsWith('"') && !value.StartsWith('[') && !value.StartsWith('{')
                              && value.IndexOfAny([':', '/', '\\', '#', ',', ' ', '$']) >= 0);

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static Config Parse(string text, string source)
    {
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not SettingsException)
        {
            throw new SettingsException(source, $"cannot be parsed: {e.Message}");
        }
    }

    /// <summary>A file's settings live under hpt (and akka): `pipeline { ... }` at the top level would be ignored.</summary>
    private static void RejectForeignRoots(Config file, string source)
    {
        if (file.IsEmpty) return;
        foreach (var root in file.Root.GetObject().Items.Keys.Where(k => k is not ("hpt" or "akka")))
        {
            var path = Paths(file).First(p => p == root || p.StartsWith(root + ".", StringComparison.Ordinal));
            var prefixed = "hpt." + path;
            var known = Paths(Reference).Any(k => k == prefixed || k.StartsWith(prefixed + ".", StringComparison.Ordinal));
            throw new SettingsException(path, $"unknown key (in {source}): settings go under hpt" +
                                              (known ? $"; did you mean '{prefixed}'?" : ""));
        }
    }

    private static void RejectUnknownKeys(Config layer, string source)
    {
        var known = new HashSet<string>(Paths(Reference), StringComparer.Ordinal);
        foreach (var path in Paths(layer).Where(p => p.StartsWith("hpt.", StringComparison.Ordinal)))
        {
            // hpt.algorithm holds only the preset in hocon/: its other keys are the algorithm's own list (every preset field).
            if (path.StartsWith(AlgorithmSection.Prefix, StringComparison.Ordinal))
            {
                if (AlgorithmSection.IsKey(path[AlgorithmSection.Prefix.Length..])) continue;
                throw new SettingsException(path, $"unknown key (in {source}); {AlgorithmSection.KeyList}");
            }
            if (known.Contains(path) || known.Any(k => k.StartsWith(path + ".", StringComparison.Ordinal))) continue;
            var hint = Suggest(path, known);
            throw new SettingsException(path, $"unknown key (in {source}){(hint is null ? "" : $"; did you mean '{hint}'?")}");
        }
    }

    /// <summary>Leaf paths of a config (objects are walked, anything else is a leaf).</summary>
    public static IEnumerable<string> Paths(Config config)
    {
        if (config.IsEmpty) yield break;
        foreach (var path in Walk(config.Root, "")) yield return path;
    }

    private static IEnumerable<string> Walk(HoconValue value, string prefix)
    {
        if (!value.IsObject())
        {
            yield return prefix;
            yield break;
        }
        var items = value.GetObject().Items;
        if (items.Count == 0 && prefix.Length > 0) yield return prefix;
        foreach (var (key, child) in items)
            foreach (var path in Walk(child, prefix.Length == 0 ? key : $"{prefix}.{key}"))
                yield return path;
    }

    private static string? Suggest(string path, IEnumerable<string> known)
    {
        var best = known.Select(k => (Key: k, Distance: Levenshtein(k, path))).MinBy(x => x.Distance);
        return best.Key is not null && best.Distance <= Math.Max(3, path.Length / 5) ? best.Key : null;
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }

    private static Config LoadReference()
    {
        var assembly = typeof(HptConfig).Assembly;
        var config = Config.Empty;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("hocon/", StringComparison.Ordinal)).Order())
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            config = config.WithFallback(Parse(reader.ReadToEnd(), name));
        }
        return config;
    }
}
