using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Akka.Configuration;
using Hpt.Actors.Hosting;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Cluster;

/// <summary>
/// What a node must share with the others to take part, carried as extra cluster roles so that every member sees them
/// in the membership (no handshake message): the hpt version (the wire format), a fingerprint of the settings that
/// shape generation (model, sampling, prompt template, frame size), and on learner nodes a fingerprint of the run
/// (the run.json settings, run id and data file). A member whose roles differ gets no work and no say
/// (<see cref="MemberRoles"/>), and the younger of the two leaves (<see cref="AdmissionGuard"/>).
/// </summary>
public static class NodeAdmission
{
    public const string VersionPrefix = "hpt-";
    public const string SettingsPrefix = "settings-";
    public const string RunPrefix = "run-";

    /// <summary>What the settings fingerprint covers, for the error message.</summary>
    public const string SettingsCovered =
        "hpt.model (a model folder by its config and tokenizer files, not its path), hpt.rollout.{temperature, top-p, top-k, " +
        "max-new-tokens}, hpt.task.{chat-template, system-prompt} and hpt.cluster.maximum-frame-size";

    private static readonly string[] GenerationKeys =
    [
        "hpt.rollout.temperature", "hpt.rollout.top-p", "hpt.rollout.top-k", "hpt.rollout.max-new-tokens",
        "hpt.task.chat-template", "hpt.task.system-prompt", "hpt.cluster.maximum-frame-size",
    ];

    /// <summary>The version of this build (with its commit): nodes of two builds may not speak the same messages.</summary>
    public static string Version { get; } =
        typeof(NodeAdmission).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(NodeAdmission).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The admission roles made of <paramref name="settings"/>: the version, then the fingerprints.</summary>
    public static IReadOnlyList<string> Roles(AdmissionSettings settings)
    {
        List<string> roles = [VersionPrefix + Version, SettingsPrefix + Hash(Lines(settings.Generation))];
        if (settings.Run is { } run) roles.Add(RunPrefix + Hash(Lines(run)));
        return roles;
    }

    /// <summary>What the fingerprints cover, key by key: the generation settings, and on a learner node the run's.</summary>
    public static AdmissionSettings Settings(Config root, bool learner)
    {
        var generation = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in HptConfig.Paths(root).Where(p => (p.StartsWith("hpt.model.", StringComparison.Ordinal) && p != ModelPathKey) || GenerationKeys.Contains(p)))
            generation[p] = root.GetValue(p).ToString();
        generation[ModelPathKey] = ModelIdentity(root.GetString(ModelPathKey, ""));
        SortedDictionary<string, string>? run = null;
        if (learner)
        {
            run = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in RunDirectory.Fingerprint(root).Where(kv => !RunDirectory.MayDiffer(kv.Key))) run[key] = value;
        }
        return new AdmissionSettings(generation, run);
    }

    private static IEnumerable<string> Lines(IReadOnlyDictionary<string, string> entries) =>
        entries.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}");

    private const string ModelPathKey = "hpt.model.path";

    /// <summary>
    /// A model folder by its content, not its path (every machine may mount it elsewhere): the SHA-256 of its
    /// config.json and tokenizer files. The weights themselves come from the learner as files.
    /// </summary>
    private static string ModelIdentity(string path)
    {
        if (path.Length == 0) return "built-in";
        var files = new[] { "config.json", "tokenizer.json", "tokenizer_config.json" }.Select(f => Path.Combine(path, f)).Where(File.Exists).ToArray();
        if (files.Length == 0) return "missing:" + Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        return string.Join(",", files.Select(f => $"{Path.GetFileName(f)}:{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))[..16]}"));
    }

    /// <summary>
    /// Why two members may not work together (null when they may): which of their admission roles differ. The run
    /// fingerprint is compared only between two learner nodes (a rollout node has none).
    /// </summary>
    public static string? Mismatch(IEnumerable<string> a, IEnumerable<string> b)
    {
        var left = a.ToArray();
        var right = b.ToArray();
        var problems = new List<string>();
        if (Find(left, VersionPrefix) != Find(right, VersionPrefix))
            problems.Add($"hpt version ({Show(Find(left, VersionPrefix), VersionPrefix)} vs {Show(Find(right, VersionPrefix), VersionPrefix)})");
        if (Find(left, SettingsPrefix) != Find(right, SettingsPrefix))
            problems.Add($"generation settings ({SettingsCovered}; fingerprint {Show(Find(left, SettingsPrefix), SettingsPrefix)} vs " +
                         $"{Show(Find(right, SettingsPrefix), SettingsPrefix)})");
        if (Find(left, RunPrefix) is { } l && Find(right, RunPrefix) is { } r && l != r)
            problems.Add($"run (hpt.run.id, the data file and the settings of run.json; fingerprint {Show(l, RunPrefix)} vs {Show(r, RunPrefix)})");
        return problems.Count == 0 ? null : string.Join(", and ", problems);
    }

    private static string? Find(string[] roles, string prefix) => roles.FirstOrDefault(r => r.StartsWith(prefix, StringComparison.Ordinal));

    private static string Show(string? role, string prefix) => role is null ? "none" : role[prefix.Length..];

    private static string Hash(IEnumerable<string> lines) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", lines))))[..12];
}
