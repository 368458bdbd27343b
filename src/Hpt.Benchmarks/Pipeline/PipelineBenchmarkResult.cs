using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hpt.Benchmarks;

/// <summary>
/// The figures of <c>hpt bench pipeline</c>; <see cref="ToJson"/> is its final line. Rates are trained samples per
/// second; ratios are medians over repeats of the ratio within a repeat; fractions are 0..1.
/// </summary>
public sealed record PipelineBenchmarkResult
{
    [JsonPropertyName("benchmark")] public string Benchmark { get; init; } = "pipeline";
    [JsonPropertyName("steps")] public int Steps { get; init; }
    [JsonPropertyName("prompts_per_step")] public int PromptsPerStep { get; init; }
    [JsonPropertyName("samples_per_prompt")] public int SamplesPerPrompt { get; init; }
    [JsonPropertyName("warmup_steps")] public int WarmupSteps { get; init; }
    [JsonPropertyName("repeats")] public int Repeats { get; init; }
    [JsonPropertyName("max_new_tokens")] public int MaxNewTokens { get; init; }
    [JsonPropertyName("model")] public string Model { get; init; } = "";
    [JsonPropertyName("parameters")] public long Parameters { get; init; }
    [JsonPropertyName("algorithm")] public string Algorithm { get; init; } = "";
    [JsonPropertyName("task")] public string Task { get; init; } = "";
    [JsonPropertyName("rollout_batching")] public string RolloutBatching { get; init; } = "";
    [JsonPropertyName("seed")] public int Seed { get; init; }
    [JsonPropertyName("learning_rate")] public double LearningRate { get; init; }
    [JsonPropertyName("warmup_learning_rate")] public double WarmupLearningRate { get; init; }
    [JsonPropertyName("cores")] public int Cores { get; init; }
    [JsonPropertyName("torch_threads_split")] public int TorchThreadsSplit { get; init; }
    [JsonPropertyName("torch_threads_all_cores")] public int TorchThreadsAllCores { get; init; }

    [JsonPropertyName("loop_samples_per_s")] public double LoopSamplesPerSecond { get; init; }
    [JsonPropertyName("sync_samples_per_s")] public double SyncSamplesPerSecond { get; init; }
    [JsonPropertyName("async_samples_per_s")] public double AsyncSamplesPerSecond { get; init; }
    [JsonPropertyName("sync_all_cores_samples_per_s")] public double SyncAllCoresSamplesPerSecond { get; init; }
    [JsonPropertyName("async_over_sync")] public double AsyncOverSync { get; init; }
    [JsonPropertyName("async_over_sync_all_cores")] public double AsyncOverSyncAllCores { get; init; }
    [JsonPropertyName("actor_overhead")] public double ActorOverhead { get; init; }
    [JsonPropertyName("actor_overhead_cpu")] public double ActorOverheadCpu { get; init; }
    /// <summary>Per step, the time neither engine was busy (hand-offs: scoring, gating and, in the pipeline, every actor hop).</summary>
    [JsonPropertyName("loop_neither_busy_ms_per_step")] public double LoopNeitherBusyMilliseconds { get; init; }
    [JsonPropertyName("sync_neither_busy_ms_per_step")] public double SyncNeitherBusyMilliseconds { get; init; }
    [JsonPropertyName("sync_step_ms")] public double SyncStepMilliseconds { get; init; }
    [JsonPropertyName("ideal_async_over_sync")] public double IdealAsyncOverSync { get; init; }
    [JsonPropertyName("generate_s_per_step")] public double GenerateSecondsPerStep { get; init; }
    [JsonPropertyName("train_s_per_step")] public double TrainSecondsPerStep { get; init; }
    [JsonPropertyName("sync_learner_idle")] public double SyncLearnerIdle { get; init; }
    [JsonPropertyName("sync_rollout_idle")] public double SyncRolloutIdle { get; init; }
    [JsonPropertyName("async_learner_idle")] public double AsyncLearnerIdle { get; init; }
    [JsonPropertyName("async_rollout_idle")] public double AsyncRolloutIdle { get; init; }
    [JsonPropertyName("async_requeued")] public int AsyncRequeued { get; init; }

    [JsonPropertyName("loop_final_reward")] public double LoopFinalReward { get; init; }
    [JsonPropertyName("sync_final_reward")] public double SyncFinalReward { get; init; }
    [JsonPropertyName("async_final_reward")] public double AsyncFinalReward { get; init; }
    [JsonPropertyName("sync_all_cores_final_reward")] public double SyncAllCoresFinalReward { get; init; }
    [JsonPropertyName("sync_last_quarter_reward")] public double SyncLastQuarterReward { get; init; }
    [JsonPropertyName("async_last_quarter_reward")] public double AsyncLastQuarterReward { get; init; }
    [JsonPropertyName("held_out_problems")] public int HeldOutProblems { get; init; }
    [JsonPropertyName("held_out_samples")] public int HeldOutSamples { get; init; }
    [JsonPropertyName("base_held_out_accuracy")] public double? BaseHeldOutAccuracy { get; init; }
    [JsonPropertyName("base_held_out_greedy")] public double? BaseHeldOutGreedy { get; init; }
    [JsonPropertyName("sync_held_out_accuracy")] public double? SyncHeldOutAccuracy { get; init; }
    [JsonPropertyName("async_held_out_accuracy")] public double? AsyncHeldOutAccuracy { get; init; }
    [JsonPropertyName("sync_held_out_greedy")] public double? SyncHeldOutGreedy { get; init; }
    [JsonPropertyName("async_held_out_greedy")] public double? AsyncHeldOutGreedy { get; init; }
    [JsonPropertyName("loop_matches_sync")] public bool LoopMatchesSync { get; init; }
    [JsonPropertyName("score_us")] public double ScoreMicroseconds { get; init; }
    [JsonPropertyName("bounded_score_us")] public double BoundedScoreMicroseconds { get; init; }

    [JsonPropertyName("load_average_start")] public double? LoadAverageStart { get; init; }
    [JsonPropertyName("load_average_end")] public double? LoadAverageEnd { get; init; }
    [JsonPropertyName("runs")] public IReadOnlyList<IReadOnlyDictionary<string, object?>> Runs { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The readable summary printed before the JSON line.</summary>
    public IEnumerable<string> Describe()
    {
        var c = CultureInfo.InvariantCulture;
        yield return string.Format(c, "samples/s: loop {0:0.00}, sync {1:0.00}, async {2:0.00}, sync all cores {3:0.00} (medians of {4})",
            LoopSamplesPerSecond, SyncSamplesPerSecond, AsyncSamplesPerSecond, SyncAllCoresSamplesPerSecond, Repeats);
        yield return string.Format(c, "async over sync (same placement): {0:0.000}x (target >= 1.6; perfect overlap of generate {1:0.000} s and train {2:0.000} s per step would give {3:0.000}x)",
            AsyncOverSync, GenerateSecondsPerStep, TrainSecondsPerStep, IdealAsyncOverSync);
        yield return string.Format(c, "async over sync with all {0} cores per phase: {1:0.000}x", TorchThreadsAllCores, AsyncOverSyncAllCores);
        yield return string.Format(c, "actor overhead over a plain loop: {0:+0.0%;-0.0%} wall, {1:+0.0%;-0.0%} cpu per sample (target <= 3%); loop and sync trained the same rewards: {2}",
            ActorOverhead, ActorOverheadCpu, LoopMatchesSync ? "yes" : "no");
        yield return string.Format(c, "neither engine busy (the hand-offs between them): loop {0:0.0} ms, sync {1:0.0} ms per step of the sync run's {2:0} ms (medians)",
            LoopNeitherBusyMilliseconds, SyncNeitherBusyMilliseconds, SyncStepMilliseconds);
        yield return string.Format(c, "idle: sync learner {0:P0} rollout {1:P0}; async learner {2:P0} rollout {3:P0}; async requeued {4}",
            SyncLearnerIdle, SyncRolloutIdle, AsyncLearnerIdle, AsyncRolloutIdle, AsyncRequeued);
        yield return string.Format(c, "final-step reward: sync {0:0.000}, async {1:0.000} (last quarter of steps: {2:0.000} vs {3:0.000})",
            SyncFinalReward, AsyncFinalReward, SyncLastQuarterReward, AsyncLastQuarterReward);
        if (SyncHeldOutAccuracy is { } s && AsyncHeldOutAccuracy is { } a)
            yield return string.Format(c, "held-out ({0} problems x {1} samples): base avg {2:0.000} greedy {3:0.000}; sync avg {4:0.000} greedy {5:0.000}; async avg {6:0.000} greedy {7:0.000}",
                HeldOutProblems, HeldOutSamples, BaseHeldOutAccuracy ?? double.NaN, BaseHeldOutGreedy ?? double.NaN,
                s, SyncHeldOutGreedy ?? double.NaN, a, AsyncHeldOutGreedy ?? double.NaN);
        yield return string.Format(c, "reward check: {0:0.0} us called directly, {1:0.0} us through the verifier's time bound (a group's checks as one job on its check thread)",
            ScoreMicroseconds, BoundedScoreMicroseconds);
        yield return string.Format(c, "load average: {0} at start, {1} at end", PipelineBenchmark.Format(LoadAverageStart), PipelineBenchmark.Format(LoadAverageEnd));
    }
}
