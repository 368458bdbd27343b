using Akka.Actor;
using Akka.Configuration;
using Hpt.Actors.Hosting;
using Hpt.Actors.Persistence;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;
using Hpt.Core.Advantages;
using Hpt.Core.Gating;
using Hpt.Training.Engines;

namespace Hpt.Actors.Tests.Persistence;

/// <summary>
/// Continuous batching is reproducible only up to float rounding, but its bookkeeping must be exact: a run stopped
/// while its workers hold several prompts each resumes without losing or training twice any prompt.
/// </summary>
public sealed class ContinuousResumeTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("hpt-continuous-resume-").FullName;

    public void Dispose() => Directory.Delete(_runDir, recursive: true);

    private ActorSystem StartSystem() =>
        ActorSystem.Create("resume", PersistenceConfig.Build(JournalStores.Settings("sqlite"), _runDir)
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING")));

    private static Func<IRolloutEngine> Engine() =>
        () => new ScriptedContinuousEngine(capacity: 4, seq => (int)(seq % 5) * 3 + 1, stepMilliseconds: 2);

    private static PipelineParts Parts(string runId, PipelineSettings settings, CountingLearnerEngine learner, Func<long, long>? restore) =>
        new(runId, 7, settings, Fixtures.Problems(9), [Engine(), Engine()], learner, new AnswerScorer(), new ThresholdGate(0, new DrGrpoAdvantage()),
            Restore: restore);

    [Fact]
    public async Task A_continuous_run_stopped_with_prompts_in_flight_resumes_losing_and_duplicating_nothing()
    {
        var runId = Guid.NewGuid().ToString("N");
        var settings = PipelineSettings.Default with { PromptsPerStep = 3, SamplesPerPrompt = 2, MaxStaleness = 1, TotalSteps = 6 };
        var first = new CountingLearnerEngine();
        var system = StartSystem();
        try
        {
            var pipeline = await Pipeline.StartAsync(system, Parts(runId, settings, first, null), null, TimeSpan.FromSeconds(20));
            RunStatus status;
            do
            {
                await Task.Delay(20);
                status = await pipeline.Coordinator.Ask<RunStatus>(GetRunStatus.Instance, TimeSpan.FromSeconds(20));
            } while (status.PolicyVersion < 2);
            Assert.True(status.InFlight > 1, $"several prompts in flight when the run stops (got {status.InFlight})");
        }
        finally
        {
            await system.Terminate();
        }

        var second = new CountingLearnerEngine();
        system = StartSystem();
        try
        {
            var pipeline = await Pipeline.StartAsync(system, Parts(runId, settings, second, step =>
            {
                second.LoadCheckpoint("", step); // the counting learner's "checkpoint" is its version
                return step;
            }), null, TimeSpan.FromSeconds(20));
            var resumedAt = pipeline.StartStatus.PolicyVersion;
            Assert.InRange(resumedAt, 2, 5);
            await pipeline.WhenCompleted(TimeSpan.FromSeconds(60));
            var status = await pipeline.Coordinator.Ask<RunStatus>(GetRunStatus.Instance, TimeSpan.FromSeconds(20));

            var expected = Enumerable.Range(0, 18).Select(i => (long)i).ToArray();
            Assert.Equal(expected, status.TrainedSeqs);
            // The steps the journal kept from the first run, then the second run's: every prompt exactly once.
            var trained = first.Batches.Take((int)resumedAt).Concat(second.Batches).SelectMany(b => b).ToArray();
            Assert.Equal(expected, trained.Order());
            Assert.Equal(6 - resumedAt, second.Batches.Count);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
