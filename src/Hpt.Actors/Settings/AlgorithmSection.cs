using Akka.Configuration;
using Hpt.Core.Configuration;

namespace Hpt.Actors.Settings;

/// <summary>
/// `hpt.algorithm`: a preset plus single-field overrides, handed to Core's algorithm settings, then made concrete for
/// this pipeline (<see cref="AlgorithmConfig.ForPipeline"/>: the off-policy correction and the generation budget).
/// </summary>
public static class AlgorithmSection
{
    public const string Prefix = "hpt.algorithm.";

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

    /// <summary>The preset and the user's overrides, as written (auto values unresolved).</summary>
    public static AlgorithmConfig Read(Config root)
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
