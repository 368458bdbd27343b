using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Coordinator;

/// <summary>
/// hpt.pipeline.max-attempts: a prompt whose generation keeps failing (a poison prompt: the same per-row seeds draw
/// the same crash every time) is not issued forever. It is set aside with a journaled event and counted, or, by
/// option, the run stops with an error naming it.
/// </summary>
public sealed class BoundedRetriesTests(ITestOutputHelper output) : TestKit(TestConfig.Default, output: output)
{
    private static readonly PipelineSettings Settings =
        PipelineSettings.Default with { PromptsPerStep = 2, SamplesPerPrompt = 2, MaxStaleness = 0, TotalSteps = 3, MaxAttempts = 3 };

    private IActorRef Start(PipelineSettings settings, string runId) =>
        Sys.ActorOf(CoordinatorActor.Props(runId, settings, Fixtures.Problems(10), seed: 1));

    private static GenerateRollouts Next(IActorRef coordinator, TestProbe worker)
    {
        coordinator.Tell(new RequestWork(worker.Ref, "w", 0), worker.Ref);
        return worker.ExpectMsg<GenerateRollouts>();
    }

    /// <summary>Fails prompt <paramref name="seq"/> each time it comes back, until something else is issued.</summary>
    private static List<GenerateRollouts> FailEveryTime(IActorRef coordinator, TestProbe worker, long seq, int times)
    {
        var issued = new List<GenerateRollouts>();
        var work = Next(coordinator, worker);
        for (var i = 0; i < times && work.Work.Seq == seq; i++)
        {
            issued.Add(work);
            coordinator.Tell(new RolloutsFailed(work.Work, work.Attempt, "w", "HfBpeTokenizer.Decode: unknown id 151900"), worker.Ref);
            work = Next(coordinator, worker);
        }
        issued.Add(work);
        return issued;
    }

    [Fact]
    public async Task Prompt_that_fails_max_attempts_times_is_set_aside_and_replaced_by_the_next_prompt()
    {
        var coordinator = Start(Settings, "poison");
        var worker = CreateTestProbe();
        var issued = FailEveryTime(coordinator, worker, seq: 0, times: 10);

        Assert.Equal(3, issued.Count(g => g.Work.Seq == 0)); // attempts 1..3, then never again
        Assert.Equal(1, issued[^1].Work.Seq);
        var replacement = Next(coordinator, worker);
        Assert.Equal(2, replacement.Work.Seq); // the step still gets two prompts: 1 and 2

        var status = await coordinator.Ask<RunStatus>(GetRunStatus.Instance);
        Assert.Equal(1, status.SetAside);
        Assert.Equal(2, status.Accepted);
    }

    [Fact]
    public async Task Set_aside_prompt_is_journaled_and_counted_in_the_step_metrics()
    {
        var progress = CreateTestProbe();
        Sys.EventStream.Subscribe(progress.Ref, typeof(RunProgress));
        var coordinator = Start(Settings, "poison-journal");
        var worker = CreateTestProbe();
        FailEveryTime(coordinator, worker, seq: 0, times: 10);
        Next(coordinator, worker);
        coordinator.Tell(new StepCompleted(1, [1, 2], Fixtures.Metrics(1)));
        Assert.Equal(1, progress.ExpectMsg<RunProgress>().Metrics.SetAsidePrompts);

        // A restarted coordinator (resume) knows from its journal: the prompt is never issued again.
        Watch(coordinator);
        Sys.Stop(coordinator);
        ExpectTerminated(coordinator);
        var resumed = Start(Settings, "poison-journal");
        var status = await resumed.Ask<RunStatus>(GetRunStatus.Instance);
        Assert.Equal(1, status.SetAside);
        Assert.Equal(3, Next(resumed, worker).Work.Seq);
    }

    [Fact]
    public void With_after_max_attempts_fail_the_run_stops_with_an_error_naming_the_prompt()
    {
        var failures = CreateTestProbe();
        Sys.EventStream.Subscribe(failures.Ref, typeof(RunFailed));
        var coordinator = Start(Settings with { AfterMaxAttempts = MaxAttemptsAction.Fail }, "poison-fail");
        var worker = CreateTestProbe();
        var work = Next(coordinator, worker);
        for (var i = 0; i < 3; i++)
        {
            coordinator.Tell(new RolloutsFailed(work.Work, work.Attempt, "w", "boom"), worker.Ref);
            if (i < 2) work = Next(coordinator, worker);
        }
        var failed = failures.ExpectMsg<RunFailed>();
        Assert.Contains("prompt 0 (problem", failed.Reason);
        Assert.Contains("hpt.pipeline.max-attempts = 3", failed.Reason);
        Assert.Contains("boom", failed.Reason);
    }

    [Fact]
    public async Task Samples_requeued_for_staleness_do_not_count_as_failed_attempts()
    {
        var coordinator = Start(Settings, "stale");
        var worker = CreateTestProbe();
        var work = Next(coordinator, worker);
        for (var i = 0; i < 5; i++)
        {
            coordinator.Tell(new PromptTooStale(work.Work, work.Attempt, 0, 2));
            work = Next(coordinator, worker);
            Assert.Equal(0, work.Work.Seq);
        }
        Assert.Equal(0, (await coordinator.Ask<RunStatus>(GetRunStatus.Instance)).SetAside);
    }
}
