using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Persistence;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;

namespace Hpt.Actors.Tests.Persistence;

public sealed class CoordinatorRecoveryTests : IDisposable
{
    private readonly string _runDir = Directory.CreateTempSubdirectory("hpt-journal-").FullName;

    public void Dispose() => Directory.Delete(_runDir, recursive: true);

    private ActorSystem StartSystem(string store) =>
        ActorSystem.Create("journal", PersistenceConfig.Build(JournalStores.Settings(store), _runDir)
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING")));

    private static async Task<GenerateRollouts> Issue(ActorSystem sys, IActorRef coordinator, TestProbeLike worker)
    {
        coordinator.Tell(new RequestWork(worker.Ref, "w", worker.Version), worker.Ref);
        return await worker.Inbox.ReceiveAsync<GenerateRollouts>(sys);
    }

    [Theory]
    [MemberData(nameof(JournalStores.All), MemberType = typeof(JournalStores))]
    public async Task Coordinator_journal_survives_a_new_actor_system_on_a_real_store(string store)
    {
        var runId = Guid.NewGuid().ToString("N");
        var settings = PipelineSettings.Default with { PromptsPerStep = 2, MaxStaleness = 0, TotalSteps = 5 };
        long inFlightSeq;

        var first = StartSystem(store);
        try
        {
            var coordinator = first.ActorOf(CoordinatorActor.Props(runId, settings, Fixtures.Problems(7), seed: 4));
            var worker = TestProbeLike.Create(first);
            var a = await Issue(first, coordinator, worker);
            var b = await Issue(first, coordinator, worker);
            coordinator.Tell(new StepCompleted(1, [a.Work.Seq, b.Work.Seq], Fixtures.Metrics(1)));
            worker.Version = 1;
            inFlightSeq = (await Issue(first, coordinator, worker)).Work.Seq;
            var status = await coordinator.Ask<RunStatus>(GetRunStatus.Instance, TimeSpan.FromSeconds(20));
            Assert.Equal(1, status.InFlight);
        }
        finally
        {
            await first.Terminate();
        }

        var second = StartSystem(store);
        try
        {
            var coordinator = second.ActorOf(CoordinatorActor.Props(runId, settings, Fixtures.Problems(7), seed: 4));
            var status = await coordinator.Ask<RunStatus>(GetRunStatus.Instance, TimeSpan.FromSeconds(20));
            Assert.Equal(1, status.PolicyVersion);
            Assert.Equal(1, status.PolicyVersion);
            Assert.Equal(new long[] { 0, 1 }, status.TrainedSeqs);
            Assert.Equal(0, status.InFlight); // what was running died with the process ...
            var worker = TestProbeLike.Create(second, version: 1);
            var again = await Issue(second, coordinator, worker);
            Assert.Equal(inFlightSeq, again.Work.Seq); // ... and is issued again first
            Assert.Equal(2, again.Attempt);
        }
        finally
        {
            await second.Terminate();
        }
    }
}
