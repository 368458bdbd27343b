using Akka.Actor;
using Hpt.Training.Engines;
using Akka.TestKit.Xunit2;
using Hpt.Actors.Learner;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Learner;

public sealed class LearnerActorTests(ITestOutputHelper output) : TestKit(TestConfig.Default, output: output)
{
    private static readonly PipelineSettings Settings = PipelineSettings.Default with { PromptsPerStep = 2, MaxStaleness = 1 };

    [Fact]
    public void Learner_trains_when_a_step_of_prompts_is_in_and_publishes_the_policy_before_the_step()
    {
        var engine = new CountingLearnerEngine();
        var coordinator = CreateTestProbe();
        var learner = Sys.ActorOf(LearnerActor.Props(engine, coordinator.Ref, Settings, new HashSet<long>()));
        learner.Tell(Fixtures.RlItem(seq: 5, version: 0));
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        learner.Tell(Fixtures.RlItem(seq: 3, version: 0));

        var published = coordinator.ExpectMsg<PolicyPublished>();
        var step = coordinator.ExpectMsg<StepCompleted>();
        Assert.Equal(1, published.Snapshot.Version);
        Assert.Equal(1, step.PolicyVersion);
        Assert.Equal(new long[] { 3, 5 }, step.ConsumedSeqs); // seq order, whatever the arrival order
        Assert.Equal(new long[] { 3, 5 }, engine.Batches.Single());
    }

    [Fact]
    public async Task Learner_trains_no_step_after_the_shutdown_checkpoint()
    {
        var engine = new CountingLearnerEngine();
        var coordinator = CreateTestProbe();
        var learner = Sys.ActorOf(LearnerActor.Props(engine, coordinator.Ref, Settings with { PromptsPerStep = 1 }, new HashSet<long>()));
        learner.Tell(Fixtures.RlItem(seq: 0, version: 0));
        coordinator.ExpectMsg<PolicyPublished>();
        coordinator.ExpectMsg<StepCompleted>();

        var saved = await learner.Ask<CheckpointSaved>(SaveCheckpointNow.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal(1, saved.Step);
        learner.Tell(Fixtures.RlItem(seq: 1, version: 1));
        learner.Tell(Fixtures.RlItem(seq: 2, version: 1));
        coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Single(engine.Batches);
        // A second request (e.g. the stall path after a signal) is answered, with nothing new to save.
        var again = await learner.Ask<CheckpointSaved>(SaveCheckpointNow.Instance, TimeSpan.FromSeconds(10));
        Assert.Equal((1L, (string?)null), (again.Step, again.Folder));
    }

    /// <remarks>
    /// One rule for a sample's version (<see cref="SampleVersions"/>, every token the group sampled): a group routed to
    /// SFT was decided on its rollouts, so their age counts although only the demonstration is trained.
    /// </remarks>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Learner_refuses_a_sample_older_than_the_staleness_bound_and_returns_its_prompt(bool routedToSft)
    {
        TrainOnPrompt Item(long seq) => routedToSft ? Fixtures.SftItem(seq, version: 0) : Fixtures.RlItem(seq, version: 0);
        var engine = new CountingLearnerEngine();
        var coordinator = CreateTestProbe();
        var learner = Sys.ActorOf(LearnerActor.Props(engine, coordinator.Ref, Settings with { PromptsPerStep = 1 }, new HashSet<long>()));
        learner.Tell(Fixtures.RlItem(seq: 0, version: 0));
        coordinator.ExpectMsg<PolicyPublished>();
        coordinator.ExpectMsg<StepCompleted>();
        learner.Tell(Item(1)); // learner at v1: staleness 1, allowed, and counted
        coordinator.ExpectMsg<PolicyPublished>();
        Assert.Equal(1, coordinator.ExpectMsg<StepCompleted>().Metrics.StalenessMax);

        learner.Tell(Item(2)); // learner at v2: staleness 2 > 1
        var stale = coordinator.ExpectMsg<PromptTooStale>();
        Assert.Equal(2, stale.Work.Seq);
        Assert.Equal(0, stale.SampleVersion);
        Assert.Equal(2, stale.LearnerVersion);
        Assert.Equal(2, engine.Batches.Count);
    }

    [Fact]
    public void Over_provisioning_lets_a_carried_over_sample_one_version_older_than_eta_train_and_counts_from_its_oldest_token()
    {
        var engine = new CountingLearnerEngine();
        var coordinator = CreateTestProbe();
        var settings = Settings with { PromptsPerStep = 1, MaxStaleness = 0, OverProvision = 1 };
        var learner = Sys.ActorOf(LearnerActor.Props(engine, coordinator.Ref, settings, new HashSet<long>()));
        learner.Tell(Fixtures.RlItem(seq: 0, version: 0));
        coordinator.ExpectMsg<PolicyPublished>();
        coordinator.ExpectMsg<StepCompleted>();

        // Started under v0 as an extra prompt, finished under v1: its oldest token is one version behind the learner.
        var spanning = Fixtures.RlItem(seq: 1, Fixtures.Rollout("x", 0) with { TokenVersions = [0, 1, 1] });
        learner.Tell(spanning);
        coordinator.ExpectMsg<PolicyPublished>();
        var step = coordinator.ExpectMsg<StepCompleted>();
        Assert.Equal(1, step.Metrics.StalenessMax);
        Assert.Equal(2, engine.Batches.Count);

        // Two versions behind is more than over-provisioning allows: issued again.
        learner.Tell(Fixtures.RlItem(seq: 2, version: 0));
        var stale = coordinator.ExpectMsg<PromptTooStale>();
        Assert.Equal(2, stale.Work.Seq);
        Assert.Equal(2, engine.Batches.Count);
    }

    [Fact]
    public void Learner_trains_a_too_stale_sample_when_configured_to_correct_it_with_importance_weights()
    {
        var engine = new CountingLearnerEngine();
        var coordinator = CreateTestProbe();
        var settings = Settings with { PromptsPerStep = 1, MaxStaleness = 0, StaleSamples = StaleSampleHandling.Train };
        var learner = Sys.ActorOf(LearnerActor.Props(engine, coordinator.Ref, settings, new HashSet<long>()));
        learner.Tell(Fixtures.RlItem(seq: 0, version: 0));
        coordinator.ExpectMsg<PolicyPublished>();
        coordinator.ExpectMsg<StepCompleted>();
        learner.Tell(Fixtures.RlItem(seq: 1, version: 0));
        coordinator.ExpectMsg<PolicyPublished>();
        var step = coordinator.ExpectMsg<StepCompleted>();
        Assert.Equal(1, step.Metrics.StalenessMax);
    }

    [Fact]
    public void Learner_drops_a_second_copy_of_a_prompt_it_already_trained()
    {
        var engine = new CountingLearnerEngine();
        var coordinator = CreateTestProbe();
        var learner = Sys.ActorOf(LearnerActor.Props(engine, coordinator.Ref, Settings with { PromptsPerStep = 1 }, new HashSet<long>()));
        learner.Tell(Fixtures.RlItem(seq: 4, version: 0, attempt: 1));
        coordinator.ExpectMsg<PolicyPublished>();
        coordinator.ExpectMsg<StepCompleted>();
        learner.Tell(Fixtures.RlItem(seq: 4, version: 1, attempt: 2));
        var dropped = coordinator.ExpectMsg<DuplicateDropped>();
        Assert.Equal(4, dropped.Seq);
        Assert.Single(engine.Batches);
    }
}
