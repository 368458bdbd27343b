using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;
using Hpt.Training.Engines;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Coordinator;

/// <summary>
/// Nothing untrusted reaches training: a group is checked at intake, before it is journaled (a bad journaled group
/// used to crash the learner on every restart), and only the worker that holds the current attempt may deliver it.
/// </summary>
public sealed class IntakeTests(ITestOutputHelper output) : TestKit(TestConfig.Default, output: output)
{
    private static readonly PipelineSettings Settings = PipelineSettings.Default with { PromptsPerStep = 2, SamplesPerPrompt = 1, MaxStaleness = 0, TotalSteps = 3 };
    private static readonly IntakeLimits Limits = new(VocabSize: 100, MaxPromptTokens: 16, MaxNewTokens: 8);

    private (IActorRef Coordinator, TestProbe Gate, TestProbe Worker) Start(string runId)
    {
        var coordinator = Sys.ActorOf(CoordinatorActor.Props(runId, Settings, Fixtures.Problems(10), seed: 1, intake: Limits));
        var gate = CreateTestProbe();
        coordinator.Tell(new GateReady(gate.Ref));
        return (coordinator, gate, CreateTestProbe());
    }

    private static async Task<GenerateRollouts> Next(IActorRef coordinator, TestProbe worker, string id = "w")
    {
        coordinator.Tell(new RequestWork(worker.Ref, id, 0), worker.Ref);
        return await worker.ExpectMsgAsync<GenerateRollouts>(); // awaited: no thread blocked while the coordinator works
    }

    private static GroupVerified Verified(GenerateRollouts work, Rollout rollout, string workerId = "w") =>
        new(new RolloutsGenerated(work.Work, work.Attempt, 0, workerId, [rollout], 0), [1.0], 0, 0);

    public static TheoryData<string, Rollout> Forged => new()
    {
        { "outside the vocabulary", new Rollout("x", [1, 2], [3, 4000, 5], [-0.1f, -0.2f, -0.3f], [0, 0, 0], false) },
        { "outside the vocabulary", new Rollout("x", [-1, 2], [3], [-0.1f], [0], false) },
        { "max-new-tokens", new Rollout("x", [1], Enumerable.Repeat(3, 9).ToArray(), new float[9], new long[9], false) },
        { "not a finite value", new Rollout("x", [1], [3, 4], [-0.1f, float.NaN], [0, 0], false) },
        { "not a finite value", new Rollout("x", [1], [3, 4], [-0.1f, 5f], [0, 0], false) },
        { "log-probs for", new Rollout("x", [1], [3, 4], [-0.1f], [0, 0], false) },
        { "token version", new Rollout("x", [1], [3], [-0.1f], [7], false) },
    };

    [Theory]
    [MemberData(nameof(Forged))]
    public async Task Invalid_rollout_is_refused_at_intake_never_journaled_and_the_prompt_is_issued_again(string problem, Rollout rollout)
    {
        var (coordinator, gate, worker) = Start($"intake-{Guid.NewGuid():N}");
        var work = await Next(coordinator, worker);
        coordinator.Tell(Verified(work, rollout));
        gate.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        var again = await Next(coordinator, worker);
        Assert.Equal(work.Work.Seq, again.Work.Seq);
        Assert.Equal(work.Attempt + 1, again.Attempt);
        Assert.Equal(1, (await coordinator.Ask<RunStatus>(GetRunStatus.Instance)).Requeued);
        Assert.False(string.IsNullOrEmpty(problem));
    }

    /// <summary>A stand-in tokenizer: one token per character (the fixture prompts are "i+i=").</summary>
    private static int[] CharTokens(string prompt) => prompt.Select(c => (int)c % 100).ToArray();

    [Fact]
    public async Task A_rollout_whose_prompt_tokens_are_not_the_encoding_of_its_prompt_is_refused_at_intake()
    {
        var coordinator = Sys.ActorOf(CoordinatorActor.Props("intake-encoding", Settings, Fixtures.Problems(10), seed: 1,
            intake: Limits with { EncodePrompt = CharTokens }));
        var gate = CreateTestProbe();
        coordinator.Tell(new GateReady(gate.Ref));
        var worker = CreateTestProbe();
        var work = await Next(coordinator, worker);
        // Valid ids and lengths, but another prompt's tokens: trained, the response would be credited to the wrong prompt.
        var forged = Fixtures.Rollout("x", 0) with { PromptTokens = CharTokens("a forged prompt") };
        coordinator.Tell(Verified(work, forged));
        gate.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        var again = await Next(coordinator, worker);
        Assert.Equal(work.Work.Seq, again.Work.Seq);
        Assert.Equal(1, (await coordinator.Ask<RunStatus>(GetRunStatus.Instance)).Requeued);

        var honest = Fixtures.Rollout("x", 0) with { PromptTokens = CharTokens(again.Work.Prompt) };
        coordinator.Tell(Verified(again, honest));
        Assert.Equal(again.Work.Seq, gate.ExpectMsg<GroupScored>().Verified.Group.Work.Seq);
    }

    [Fact]
    public async Task Valid_rollout_passes_intake_to_the_gate()
    {
        var (coordinator, gate, worker) = Start("intake-ok");
        var work = await Next(coordinator, worker);
        coordinator.Tell(Verified(work, Fixtures.Rollout("x", 0)));
        Assert.Equal(work.Work.Seq, gate.ExpectMsg<GroupScored>().Verified.Group.Work.Seq);
    }

    [Fact]
    public async Task Rollout_of_a_policy_published_before_its_step_is_recorded_passes_intake()
    {
        // The learner tells PolicyPublished, then StepCompleted; on a loaded machine a worker can sample with the new
        // policy and deliver before the step's event is journaled. That policy exists: its tokens are not forged.
        var (coordinator, gate, worker) = Start("intake-published");
        var work = await Next(coordinator, worker);
        coordinator.Tell(new PolicyPublished(Fixtures.Snapshot(1)));
        worker.ExpectMsg<UpdatePolicy>(u => Assert.Equal(1, u.Snapshot.Version));
        coordinator.Tell(Verified(work, Fixtures.Rollout("x", 1)));
        Assert.Equal(work.Work.Seq, gate.ExpectMsg<GroupScored>().Verified.Group.Work.Seq);
    }

    [Fact]
    public async Task Group_from_a_worker_the_prompt_was_not_issued_to_is_dropped()
    {
        var (coordinator, gate, worker) = Start("intake-impostor");
        var work = await Next(coordinator, worker, "w");
        coordinator.Tell(Verified(work, Fixtures.Rollout("x", 0), workerId: "impostor"));
        gate.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        coordinator.Tell(Verified(work, Fixtures.Rollout("x", 0), workerId: "w"));
        Assert.Equal("w", gate.ExpectMsg<GroupScored>().Verified.Group.WorkerId);
    }

    [Fact]
    public async Task Group_with_a_forged_prompt_or_problem_is_refused()
    {
        // The answer never reaches the rollout side (PromptWork has none), so only the prompt and its problem can be forged.
        var (coordinator, gate, worker) = Start("intake-prompt");
        var work = await Next(coordinator, worker);
        coordinator.Tell(Verified(work with { Work = work.Work with { Prompt = "forged" } }, Fixtures.Rollout("x", 0)));
        gate.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        var next = await Next(coordinator, worker);
        coordinator.Tell(Verified(next with { Work = next.Work with { ProblemId = "forged" } }, Fixtures.Rollout("x", 0)));
        gate.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }
}
