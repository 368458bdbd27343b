using Hpt.Training.Engines;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Learner;

/// <summary>Summarises one step's prompts and the engine's result into <see cref="StepMetrics"/>.</summary>
public static class StepMetricsBuilder
{
    public static StepMetrics Build(long step, IReadOnlyList<TrainOnPrompt> prompts, IReadOnlyList<long> staleness,
        LearnerStepResult result, double trainSeconds, double idleSeconds, double publishSeconds)
    {
        var rewards = prompts.SelectMany(p => p.Rewards).ToArray();
        var rewardMean = rewards.Length == 0 ? 0 : rewards.Average();
        var rewardStd = rewards.Length < 2 ? 0 : Math.Sqrt(rewards.Sum(r => (r - rewardMean) * (r - rewardMean)) / (rewards.Length - 1));
        var zeroVariance = prompts.Count(p => p.Rewards.Length > 0 && p.Rewards.All(r => r == p.Rewards[0]));
        var offline = prompts.Count(p => p.Rows.Any(r => r.IsExpert));
        var rows = prompts.SelectMany(p => p.Rows).ToArray();
        // Every sampled rollout counts, not only the rows the gate kept: an SFT-routed group's rollouts are dropped.
        var samples = prompts.Sum(p => p.Rewards.Length);
        var truncated = prompts.Sum(p => p.TruncatedRollouts);
        var count = Math.Max(1, prompts.Count);
        var rolloutIdle = prompts.Sum(p => p.RolloutIdleSeconds);
        var rolloutBusy = prompts.Sum(p => p.GenerationSeconds);

        return new StepMetrics(
            Step: step,
            Loss: result.Loss,
            RewardMean: rewardMean,
            RewardStd: rewardStd,
            ZeroVarianceGroupFraction: zeroVariance / (double)count,
            OfflinePromptRatio: offline / (double)count,
            ResponseLengthMean: prompts.Count == 0 ? 0 : prompts.Average(p => p.Rewards.Length == 0 ? 0 : p.RolloutTokens / (double)p.Rewards.Length),
            TruncationRate: samples == 0 ? 0 : truncated / (double)samples,
            Entropy: result.Entropy,
            ClipFraction: result.ClipFraction,
            MismatchKl: result.MismatchKl,
            GradNorm: result.GradNorm,
            UpdateSkipped: result.UpdateSkipped,
            StalenessMean: staleness.Count == 0 ? 0 : staleness.Average(),
            StalenessMax: staleness.Count == 0 ? 0 : staleness.Max(),
            LearnerSeconds: trainSeconds,
            LearnerIdleFraction: idleSeconds + trainSeconds <= 0 ? 0 : idleSeconds / (idleSeconds + trainSeconds),
            PublishSeconds: publishSeconds,
            Prompts: prompts.Count,
            Rows: result.Rows,
            Tokens: result.Tokens,
            Samples: samples)
        {
            RolloutIdleFraction = rolloutIdle + rolloutBusy <= 0 ? 0 : rolloutIdle / (rolloutIdle + rolloutBusy),
            OfflineSampleRatio = rows.Length == 0 ? 0 : rows.Count(r => r.IsExpert) / (double)rows.Length,
            TruncatedTokenFraction = result.TruncatedTokenFraction,
            ProximalSeconds = result.ProximalSeconds,
        };
    }
}
