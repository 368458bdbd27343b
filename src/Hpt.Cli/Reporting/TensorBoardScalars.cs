using Hpt.Actors.Protocol;

namespace Hpt.Cli.Reporting;

/// <summary>
/// The TensorBoard tags one step is written under. `train/` holds what the algorithm did, `perf/` how fast the
/// system did it, so the two groups sit apart in the TensorBoard UI.
/// </summary>
public static class TensorBoardScalars
{
    /// <param name="samplesPerSecond">Wall-clock throughput of the step, when the caller measured one.</param>
    public static IReadOnlyList<(string Tag, double Value)> From(StepMetrics m, double? samplesPerSecond)
    {
        var scalars = new List<(string, double)>
        {
            ("train/loss", m.Loss),
            ("train/reward_mean", m.RewardMean),
            ("train/reward_std", m.RewardStd),
            ("train/zero_variance_group_fraction", m.ZeroVarianceGroupFraction),
            ("train/offline_sample_ratio", m.OfflineSampleRatio),
            ("train/offline_prompt_ratio", m.OfflinePromptRatio),
            ("train/response_length", m.ResponseLengthMean),
            ("train/truncation_rate", m.TruncationRate),
            ("train/entropy", m.Entropy),
            ("train/clip_fraction", m.ClipFraction),
            ("train/mismatch_kl", m.MismatchKl),
            ("train/truncated_token_fraction", m.TruncatedTokenFraction),
            ("train/grad_norm", m.GradNorm),
            ("train/update_skipped", m.UpdateSkipped ? 1 : 0),
            ("train/staleness_mean", m.StalenessMean),
            ("train/staleness_max", m.StalenessMax),
            ("perf/learner_seconds", m.LearnerSeconds),
            ("perf/learner_idle_fraction", m.LearnerIdleFraction),
            ("perf/rollout_idle_fraction", m.RolloutIdleFraction),
            ("perf/publish_seconds", m.PublishSeconds),
            ("perf/proximal_seconds", m.ProximalSeconds),
            ("perf/prompts", m.Prompts),
            ("perf/rows", m.Rows),
            ("perf/tokens", m.Tokens),
            ("perf/samples", m.Samples),
        };
        if (samplesPerSecond is { } rate) scalars.Add(("perf/samples_per_s", rate));
        return scalars;
    }
}
