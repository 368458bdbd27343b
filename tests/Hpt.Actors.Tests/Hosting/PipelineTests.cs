using Akka.Actor;
using Akka.TestKit.Xunit2;
using Hpt.Training.Engines;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;
using Hpt.Core.Advantages;
using Hpt.Core.Gating;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Hosting;

public sealed class PipelineTests(ITestOutputHelper output) : TestKit(TestConfig.Default, output: output)
{
    private static PipelineParts Parts(string runId, PipelineSettings settings, CountingLearnerEngine learner, params Func<IRolloutEngine>[] engines) =>
        new(runId, 7, settings, Fixtures.Problems(5), engines, learner, new AnswerScorer(), new ThresholdGate(0, new DrGrpoAdvantage()));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Pipeline_trains_every_prompt_of_the_run_exactly_once(int eta)
    {
        var settings = PipelineSettings.Default with { PromptsPerStep = 3, SamplesPerPrompt = 4, MaxStaleness = eta, TotalSteps = 4 };
        var learner = new CountingLearnerEngine();
        var pipeline = await Pipeline.StartAsync(Sys, Parts($"once{eta}", settings, learner,
            () => new ScriptedRolloutEngine(), () => new ScriptedRolloutEngine()), null, TimeSpan.FromSeconds(10));

        var done = await pipeline.WhenCompleted(TimeSpan.FromSeconds(30));
        Assert.Equal(4, done.PolicyVersion);
        var trained = learner.Batches.SelectMany(b => b).ToArray();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), trained.Order());
        Assert.All(learner.Batches, b => Assert.Equal(3, b.Length));
    }

    [Fact]
    public async Task Pipeline_at_eta_zero_trains_each_step_on_the_prompts_of_that_step_only()
    {
        var settings = PipelineSettings.Default with { PromptsPerStep = 2, SamplesPerPrompt = 2, MaxStaleness = 0, TotalSteps = 3 };
        var learner = new CountingLearnerEngine();
        var pipeline = await Pipeline.StartAsync(Sys, Parts("sync", settings, learner,
            () => new ScriptedRolloutEngine(), () => new ScriptedRolloutEngine()), null, TimeSpan.FromSeconds(10));
        await pipeline.WhenCompleted(TimeSpan.FromSeconds(30));
        Assert.Equal([[0, 1], [2, 3], [4, 5]], learner.Batches);
    }

    [Fact]
    public async Task Pipeline_survives_a_crashing_worker_and_loses_no_prompt()
    {
        var settings = PipelineSettings.Default with { PromptsPerStep = 2, SamplesPerPrompt = 2, MaxStaleness = 1, TotalSteps = 3 };
        var learner = new CountingLearnerEngine();
        var crashes = 0;
        Func<IRolloutEngine> flaky = () => new ScriptedRolloutEngine(w => w.Seq == 2 && Interlocked.Increment(ref crashes) == 1);
        var pipeline = await Pipeline.StartAsync(Sys, Parts("crash", settings, learner, flaky, flaky),
            null, TimeSpan.FromSeconds(10));

        await pipeline.WhenCompleted(TimeSpan.FromSeconds(30));
        Assert.True(crashes >= 1);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), learner.Batches.SelectMany(b => b).Order());
        var status = await pipeline.Coordinator.Ask<RunStatus>(GetRunStatus.Instance, TimeSpan.FromSeconds(5));
        Assert.True(status.Requeued >= 1);
    }

    [Fact]
    public async Task A_run_whose_only_worker_hangs_stops_within_the_stall_abort_limit_saying_which_prompt_it_holds()
    {
        // Work is never timed out here (30 min): only the stall detector can end this run.
        var settings = PipelineSettings.Default with
        {
            PromptsPerStep = 2, SamplesPerPrompt = 2, MaxStaleness = 0, TotalSteps = 5,
            WorkTimeout = TimeSpan.FromMinutes(30), StallWarning = TimeSpan.FromMilliseconds(300), StallAbort = TimeSpan.FromSeconds(1.5),
        };
        var learner = new CountingLearnerEngine();
        using var release = new ManualResetEventSlim();
        var engine = new HangingRolloutEngine(r => r.Seq == 4, release); // the first prompt of step 3
        try
        {
            var pipeline = await Pipeline.StartAsync(Sys, Parts("hang", settings, learner, () => engine), null, TimeSpan.FromSeconds(10));
            var completion = pipeline.WhenCompleted(TimeSpan.FromSeconds(60));
            while (learner.Batches.Count < 2 && !completion.IsCompleted) await Task.Delay(10);
            var stuckSince = System.Diagnostics.Stopwatch.StartNew(); // step 2 is trained: the clock of the stall starts about now

            var stall = await Assert.ThrowsAsync<RunStalledException>(() => completion);
            var waited = stuckSince.Elapsed;
            Assert.Equal([4L], engine.Hung);
            Assert.Equal(2, learner.Batches.Count); // steps 1 and 2, nothing after the hang
            Assert.Contains("hpt.pipeline.stall-abort", stall.Message);
            Assert.Contains("step 2/5", stall.Message);
            Assert.Matches(@"rollout-0 \(v\d+\): prompt 4#1 for \d+s", stall.Message); // who holds what, and for how long
            // Within its deadline: the limit plus the watchdog's tick, far from the 30 min work timeout or a hang.
            Assert.True(waited < TimeSpan.FromSeconds(10), $"the stall was reported after {waited.TotalSeconds:0.0}s (limit 1.5 s)");
        }
        finally
        {
            release.Set(); // free the compute thread for the next test
        }
    }
}
