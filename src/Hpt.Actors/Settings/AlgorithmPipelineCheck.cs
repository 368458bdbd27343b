using System.Globalization;
using Hpt.Core.Configuration;

namespace Hpt.Actors.Settings;

/// <summary>
/// The algorithm and the pipeline checked together at start-up: combinations that each section accepts alone but
/// that train something other than what the user asked for. <see cref="Errors"/> stop the run (one message naming
/// every key involved); <see cref="Notes"/> are printed and the run goes on.
/// </summary>
public static class AlgorithmPipelineCheck
{
    /// <summary>Throws a <see cref="SettingsException"/> for the first inconsistent combination.</summary>
    public static void Validate(AlgorithmConfig algorithm, PipelineSettings pipeline)
    {
        foreach (var (key, problem) in Errors(algorithm, pipeline)) throw new SettingsException(key, problem);
    }

    /// <summary>(key, problem) for every combination that must not run; <paramref name="algorithm"/> is resolved (<see cref="AlgorithmConfig.ForPipeline"/>).</summary>
    public static IEnumerable<(string Key, string Problem)> Errors(AlgorithmConfig algorithm, PipelineSettings pipeline)
    {
        var staleness = Staleness(pipeline);
        if (algorithm.OffPolicyCorrection == OffPolicyCorrectionKind.Off && AlgorithmSection.SamplesCanBeStale(pipeline))
            yield return ("hpt.algorithm.off-policy-correction",
                $"off, but {staleness} trains samples older than the learner as if they were on-policy; " +
                "set hpt.algorithm.off-policy-correction = auto, or hpt.pipeline.max-staleness = 0 with stale-samples = requeue");
        if (algorithm.OffPolicyCorrection == OffPolicyCorrectionKind.On && !(algorithm.TisCap >= 1))
            yield return ("hpt.algorithm.tis-cap",
                $"{Number(algorithm.TisCap)} must be at least 1 while hpt.algorithm.off-policy-correction is on " +
                $"({(AlgorithmSection.SamplesCanBeStale(pipeline) ? $"auto turns it on because {staleness}" : "set explicitly")}): " +
                "a smaller cap down-weights every fresh token");
        if (algorithm.Gate.Policy == GatePolicyKind.SftThenRl && algorithm.Gate.SwitchStep > pipeline.TotalSteps)
            yield return ("hpt.algorithm.gate.switch-step",
                $"{algorithm.Gate.SwitchStep} is after the last step (hpt.pipeline.total-steps = {pipeline.TotalSteps}): " +
                "the run would never leave SFT");
        if (algorithm.Gate.Policy == GatePolicyKind.ScheduledGamma && algorithm.Gate.ScheduleSteps > pipeline.TotalSteps)
            yield return ("hpt.algorithm.gate.schedule-steps",
                $"{algorithm.Gate.ScheduleSteps} is after the last step (hpt.pipeline.total-steps = {pipeline.TotalSteps}): " +
                "gamma would never reach hpt.algorithm.gate.gamma-end");
    }

    /// <summary>Combinations that run but differ from the paper's setting, worth a line at start-up.</summary>
    public static IEnumerable<string> Notes(AlgorithmConfig algorithm, PipelineSettings pipeline)
    {
        if (algorithm.Gate.Policy is GatePolicyKind.Luffy or GatePolicyKind.Srft && pipeline.SamplesPerPrompt != 7)
            yield return $"hpt.algorithm.gate.policy = {ConfigNames.Format(algorithm.Gate.Policy)} adds the demonstration to each " +
                         $"group: hpt.pipeline.samples-per-prompt = {pipeline.SamplesPerPrompt} makes groups of " +
                         $"{pipeline.SamplesPerPrompt} + 1, the paper's are 7 + 1 (set samples-per-prompt = 7)";
    }

    private static string Staleness(PipelineSettings pipeline) =>
        pipeline.StaleSamples == StaleSampleHandling.Train
            ? "hpt.pipeline.stale-samples = train"
            : pipeline.OverProvision > 0
                ? $"hpt.rollout.over-provision = {pipeline.OverProvision}"
                : $"hpt.pipeline.max-staleness = {pipeline.MaxStaleness}";

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
