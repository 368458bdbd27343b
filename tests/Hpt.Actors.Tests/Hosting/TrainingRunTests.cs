using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Tasks.Evaluation;

namespace Hpt.Actors.Tests.Hosting;

/// <summary>The whole product in one process: warm-up, evaluation, the actor pipeline with real engines, evaluation.</summary>
public sealed class TrainingRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hpt-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class Collector : IRunObserver
    {
        public List<StepMetrics> Steps { get; } = [];
        public void Started(string runDirectory) { }
        public void Message(string text) { }
        public void Progress(RunProgress progress) { lock (Steps) Steps.Add(progress.Metrics); }
        public void Evaluated(string label, BenchmarkResult result) { }
    }

    [Fact]
    public async Task Hpt_on_a_builtin_task_improves_held_out_accuracy_over_the_base_model_at_a_fixed_seed()
    {
        var config = HptConfig.Load(overrides:
        [
            $"run.dir={_dir}", "run.seed=3", "run.torch-threads=2", "persistence.store=memory",
            "task.difficulty=easy", "task.train-size=1000", "task.eval-size=64", "task.warmup-steps=200",
            "pipeline.prompts-per-step=16", "pipeline.samples-per-prompt=8", "pipeline.max-staleness=0", "pipeline.total-steps=20",
            "rollout.max-new-tokens=40", "algorithm.aggregation-constant=40",
        ]);
        var observer = new Collector();
        var outcome = await TrainingRun.RunAsync(config, observer, CancellationToken.None);

        Assert.True(outcome.Completed);
        Assert.Equal(20, observer.Steps.Count);
        Assert.NotNull(outcome.Before);
        Assert.NotNull(outcome.After);
        // The gate saw both kinds of prompts: some went to SFT on the demonstration, some to RL on the rollouts.
        Assert.Contains(observer.Steps, s => s.OfflinePromptRatio is > 0 and < 1);
        // At eta = 0 the rollout worker waits while the learner trains: its idle share is measured, and a fraction.
        Assert.All(observer.Steps, s => Assert.InRange(s.RolloutIdleFraction, 0, 1));
        Assert.Contains(observer.Steps, s => s.RolloutIdleFraction > 0);
        Assert.True(outcome.After!.AverageAtK > outcome.Before!.AverageAtK,
            $"held-out avg@8 {outcome.Before.AverageAtK:0.000} -> {outcome.After.AverageAtK:0.000}");
    }
}
