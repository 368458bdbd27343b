using System.Text.Json;
using Hpt.Benchmarks;

namespace Hpt.Benchmarks.Tests.Pipeline;

/// <summary>
/// The benchmark sets libtorch's process-wide thread count (1, then 2) while it runs; this collection keeps it from
/// running beside other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchThreadsCollection
{
    public const string Name = "torch-threads";
}

/// <summary>Smoke test of <c>hpt bench pipeline</c>: a tiny configuration runs end to end. No timing is asserted.</summary>
[Collection(TorchThreadsCollection.Name)]
public sealed class PipelineBenchmarkTests
{
    private static readonly string[] RequiredFields =
    [
        "async_over_sync", "async_over_sync_all_cores", "actor_overhead", "actor_overhead_cpu",
        "loop_samples_per_s", "sync_samples_per_s", "async_samples_per_s", "sync_all_cores_samples_per_s",
        "sync_learner_idle", "sync_rollout_idle", "async_learner_idle", "async_rollout_idle",
        "sync_final_reward", "async_final_reward", "base_held_out_accuracy", "sync_held_out_accuracy", "async_held_out_accuracy",
        "steps", "prompts_per_step", "samples_per_prompt", "warmup_steps", "repeats", "max_new_tokens", "model", "algorithm",
        "task", "seed", "cores", "torch_threads_split", "torch_threads_all_cores", "score_us", "bounded_score_us", "runs",
        "loop_neither_busy_ms_per_step", "sync_neither_busy_ms_per_step", "sync_step_ms",
    ];

    [Fact]
    public async Task Quick_benchmark_runs_every_schedule_and_writes_every_figure()
    {
        var log = new StringWriter();
        var result = await PipelineBenchmark.RunAsync(PipelineBenchmarkOptions.Quick, log);

        using var json = JsonDocument.Parse(result.ToJson());
        var root = json.RootElement;
        foreach (var field in RequiredFields)
        {
            Assert.True(root.TryGetProperty(field, out var value), $"missing '{field}'");
            Assert.NotEqual(JsonValueKind.Null, value.ValueKind);
        }
        Assert.Equal(4, root.GetProperty("runs").GetArrayLength()); // loop, sync, async, sync_all_cores; one repeat
        Assert.True(result.SyncSamplesPerSecond > 0 && result.AsyncSamplesPerSecond > 0 && result.LoopSamplesPerSecond > 0);
        Assert.True(double.IsFinite(result.AsyncOverSync) && double.IsFinite(result.ActorOverhead));
        Assert.InRange(result.AsyncLearnerIdle, 0, 1);
        Assert.InRange(result.AsyncRolloutIdle, 0, 1);
        Assert.InRange(result.SyncNeitherBusyMilliseconds, 0, result.SyncStepMilliseconds);
        Assert.InRange(result.LoopNeitherBusyMilliseconds, 0, double.MaxValue);
        // The plain loop and the synchronous pipeline do the same work: same prompts, same samples, same updates.
        Assert.True(result.LoopMatchesSync);
        Assert.Contains("async over sync", log.ToString());
    }
}
