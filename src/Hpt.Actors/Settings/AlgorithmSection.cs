using Akka.Configuration;
using Hpt.Core.Configuration;

namespace Hpt.Actors.Settings;

/// <summary>
/// `hpt.algorithm`: a preset plus single-field overrides, handed to Core's algorithm settings, then made concrete for
/// this pipeline (<see cref="AlgorithmConfig.ForPipeline"/>: the off-policy correction and the generation budget).
/// </summary>
public static class AlgorithmSection
{
    public const string Section = "hpt.algorithm";

    public const string Prefix = Section + ".";

    /// <summary>The algorithm as this configuration's pipeline runs it, checked against the pipeline (<see cref="AlgorithmPipelineCheck"/>).</summary>
    public static AlgorithmConfig Create(Config root)
    {
        var pipeline = PipelineSettings.Create(root);
        var algorithm = ForPipeline(Read(root), pipeline, RolloutSettings.Create(root).MaxNewTokens);
        AlgorithmPipelineCheck.Validate(algorithm, pipeline);
        return algorithm;
    }

    /// <summary>Start-up notes on the algorithm with this pipeline (settings that run but differ from the paper's).</summary>
    public static IEnumerable<string> Notes(Config root) =>
        AlgorithmPipelineCheck.Notes(Create(root), PipelineSettings.Create(root));

    /// <summary><paramref name="algorithm"/> for a pipeline with these settings (a benchmark varies the staleness).</summary>
    public static AlgorithmConfig ForPipeline(AlgorithmConfig algorithm, PipelineSettings pipeline, int maxNewTokens) =>
        algorithm.ForPipeline(SamplesCanBeStale(pipeline), maxNewTokens);

    /// <summary>A trained sample can be older than the learner: eta &gt; 0, over-provisioning, or over-stale samples are trained.</summary>
    public static bool SamplesCanBeStale(PipelineSettings pipeline) =>
        pipeline.EffectiveMaxStaleness > 0 || pipeline.StaleSamples == StaleSampleHandling.Train;

    /// <summary>
    /// The preset and the keys set next to it, as written (auto values unresolved). Each key is read with its own type
    /// (<see cref="AlgorithmSettings.Keys"/>), so a bad value or an unknown key is an error naming it.
    /// </summary>
    public static AlgorithmConfig Read(Config root)
    {
        var r = new SettingsReader(root, Section);
        var name = r.Choice(AlgorithmSettings.PresetKey, AlgorithmPresets.All.Keys.ToArray());
        var keys = HptConfig.Paths(root.GetConfig(Section) ?? Config.Empty).Where(k => k != AlgorithmSettings.PresetKey).ToArray();
        foreach (var key in keys.Where(k => !IsKey(k))) throw new SettingsException(r.Key(key), $"unknown key; {KeyList}");
        return AlgorithmSettings.Apply(AlgorithmPresets.All[name], keys, new Values(r));
    }

    /// <summary>True when <paramref name="name"/> (relative to the section) is the preset or a key of the algorithm.</summary>
    public static bool IsKey(string name) => name == AlgorithmSettings.PresetKey || AlgorithmSettings.Find(name) is not null;

    /// <summary>The valid keys, for an error about an unknown one.</summary>
    public static string KeyList =>
        $"the keys of {Section} are {AlgorithmSettings.PresetKey}, {string.Join(", ", AlgorithmSettings.Keys.Select(k => k.Name))}";

    /// <summary>The typed reads of <see cref="AlgorithmSettings.Keys"/>, each checked and named by <see cref="SettingsReader"/>.</summary>
    private sealed class Values(SettingsReader reader) : IAlgorithmValues
    {
        public double Number(string key) => reader.Double(key);

        public long Integer(string key, long min, long max) => reader.Long(key, min, max);

        public string Text(string key) => reader.String(key);

        public string Choice(string key, IReadOnlyList<string> values) => reader.Choice(key, values);
    }
}
