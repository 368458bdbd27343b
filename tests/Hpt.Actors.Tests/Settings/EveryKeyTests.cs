using System.Text.RegularExpressions;
using Akka.Configuration;
using Hpt.Actors.Cluster;
using Hpt.Actors.Persistence;
using Hpt.Actors.Settings;
using Hpt.Core.Configuration;

namespace Hpt.Actors.Tests.Settings;

/// <summary>
/// hocon/ is the one source of configuration: every key its files hold (profiles included) is read by a settings
/// class, every key a settings class reads is in hocon/ with a comment above it, and nothing has a default in code.
/// </summary>
public sealed partial class EveryKeyTests
{
    private static string HoconFolder() => RepoPaths.Under("hocon");

    private static string[] BaseFiles() => Directory.GetFiles(HoconFolder(), "*.conf").Order().ToArray();

    private static string[] ProfileFiles() => Directory.GetFiles(Path.Combine(HoconFolder(), "profiles"), "*.conf").Order().ToArray();

    public static TheoryData<string> Files() => new(BaseFiles().Concat(ProfileFiles()).Select(f => Path.GetRelativePath(HoconFolder(), f)));

    public static TheoryData<string> Base() => new(BaseFiles().Select(Path.GetFileName).OfType<string>());

    /// <summary>Binds every section as the program does (train, node, eval): the keys the settings classes read.</summary>
    private static IReadOnlySet<string> Bind(Config config) => BoundKeys.During(() =>
    {
        RunSettings.Create(config);
        ModelSettings.Create(config);
        TaskSettings.Create(config);
        PromptSettings.Create(config);
        RolloutSettings.Create(config);
        LearnerSettings.Create(config);
        PipelineSettings.Create(config);
        CheckpointSettings.Create(config);
        PersistenceSettings.Create(config);
        ClusterSettings.Create(config);
        AlgorithmSection.Create(config);
    });

    /// <summary>Keys Akka reads itself: its own section, and the dispatcher the tensor actors are created on.</summary>
    private static bool ReadByAkka(string key) =>
        key.StartsWith("akka.", StringComparison.Ordinal) || key.StartsWith(PipelineSettings.ComputeDispatcherPath + ".", StringComparison.Ordinal);

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_key_of_a_hocon_file_is_read_by_a_settings_class(string file)
    {
        var path = Path.Combine(HoconFolder(), file);
        var config = file.StartsWith("profiles", StringComparison.Ordinal) ? HptConfig.Load(path) : HptConfig.Reference;
        var bound = Bind(config);
        var keys = HptConfig.Paths(ConfigurationFactory.ParseString(File.ReadAllText(path))).ToArray();
        Assert.NotEmpty(keys);
        Assert.Equal([], keys.Where(k => !ReadByAkka(k) && !bound.Contains(k)).ToArray());
    }

    [Fact]
    public void The_compute_dispatcher_the_tensor_actors_run_on_is_configured_in_hocon()
    {
        Assert.Equal("PinnedDispatcher", HptConfig.Reference.GetString(PipelineSettings.ComputeDispatcherPath + ".type"));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_key_a_settings_class_reads_is_documented_in_hocon(string file)
    {
        var path = Path.Combine(HoconFolder(), file);
        var bound = Bind(file.StartsWith("profiles", StringComparison.Ordinal) ? HptConfig.Load(path) : HptConfig.Reference);
        var reference = HptConfig.Paths(HptConfig.Reference).ToHashSet(StringComparer.Ordinal);
        var algorithmDocs = AlgorithmKeyDocs();
        var undocumented = bound.Where(k => !reference.Contains(k) &&
                                            !(k.StartsWith(AlgorithmSection.Prefix, StringComparison.Ordinal) && algorithmDocs.Contains(k[AlgorithmSection.Prefix.Length..])));
        Assert.Empty(undocumented);
    }

    [Fact]
    public void Every_algorithm_key_is_documented_in_algorithm_conf()
    {
        var documented = AlgorithmKeyDocs();
        Assert.Equal([], AlgorithmSettings.Keys.Select(k => k.Name).Where(k => !documented.Contains(k)).ToArray());
    }

    [Theory]
    [MemberData(nameof(Base))]
    public void Every_key_of_a_reference_file_has_a_comment_above_it(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(HoconFolder(), file));
        var undocumented = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (KeyOf(lines[i]) is not { } key || Documented(lines, i, key)) continue;
            undocumented.Add($"{file}:{i + 1}: {key}");
        }
        Assert.Empty(undocumented);
    }

    [Fact]
    public void The_comment_check_sees_a_key_without_a_comment()
    {
        string[] lines = ["# The learner.", "x {", "  # documented", "  a = 1", "  b = 2", "", "  c = 3", "  # d and e", "  d = 1", "  e = 2", "  f = 3"];
        Assert.Equal([true, true, false, false, true, true, false],
            new[] { 1, 3, 4, 6, 8, 9, 10 }.Select(i => Documented(lines, i, KeyOf(lines[i])!)).ToArray());
    }

    [Fact]
    public void The_reference_system_prompt_is_the_paper_s()
    {
        Assert.Equal(Hpt.Model.Tokenizers.PromptFormat.PaperSystemPrompt, PromptSettings.Default.SystemPrompt);
    }

    /// <summary>
    /// The key names hocon/algorithm.conf documents in its comments: a comment line that starts with the names, then
    /// ':' or '=' (`# eps-low, eps-high: the clip range`, `# mask = none | ppo-clip: ...`).
    /// </summary>
    private static HashSet<string> AlgorithmKeyDocs() =>
        File.ReadAllLines(Path.Combine(HoconFolder(), "algorithm.conf"))
            .Select(l => AlgorithmDoc().Match(l))
            .Where(m => m.Success)
            .SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The key a line sets or opens (its last segment), or null for comments, closing braces and blank lines.</summary>
    private static string? KeyOf(string line)
    {
        var m = KeyLine().Match(line);
        return m.Success ? m.Groups[1].Value.Split('.')[^1] : null;
    }

    private static bool OpensBlock(string line) => line.TrimEnd().EndsWith('{');

    private static bool IsComment(string line) => line.TrimStart().StartsWith('#') || line.TrimStart().StartsWith("//", StringComparison.Ordinal);

    /// <summary>
    /// A comment directly above the key; or the key follows, with no blank line, other keys that follow a comment
    /// which names it (one comment for `top-p` and `top-k`, or for `beta1` and `beta2`).
    /// </summary>
    private static bool Documented(string[] lines, int index, string key)
    {
        var j = index - 1;
        while (j >= 0 && KeyOf(lines[j]) is not null && !OpensBlock(lines[j])) j--;
        if (j < 0 || !IsComment(lines[j])) return false;
        if (j == index - 1) return true;
        var comment = new List<string>();
        for (; j >= 0 && IsComment(lines[j]); j--) comment.Add(lines[j]);
        return comment.Any(c => Regex.IsMatch(c, $@"(^|[^a-z0-9-]){Regex.Escape(key)}([^a-z0-9-]|$)"));
    }

    [GeneratedRegex(@"^\s*([A-Za-z0-9_.-]+)\s*(=|:|\{)")]
    private static partial Regex KeyLine();

    [GeneratedRegex(@"^\s*#\s+([a-z0-9.-]+(?:,\s*[a-z0-9.-]+)*)\s*[:=]")]
    private static partial Regex AlgorithmDoc();
}
