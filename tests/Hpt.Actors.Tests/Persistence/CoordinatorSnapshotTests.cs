using Akka.Actor;
using Akka.Configuration;
using Hpt.Actors.Coordinator;
using Hpt.Actors.Persistence;
using Hpt.Actors.Protocol;
using Hpt.Actors.Settings;
using Hpt.Actors.Tests.Doubles;

namespace Hpt.Actors.Tests.Persistence;

/// <summary>
/// Snapshots on the real stores: the journal before a snapshot is deleted, and a new ActorSystem recovers exactly the
/// same trained set, data cursor, in-flight work and verified groups, and can still roll back to a retained checkpoint.
/// </summary>
public sealed class CoordinatorSnapshotTests : IDisposable
{
    private static readonly PipelineSettings Settings = PipelineSettings.Default with { PromptsPerStep = 2, MaxStaleness = 1, TotalSteps = 40 };
    private static readonly SnapshotPolicy EveryTwo = new(EverySteps: 2, KeepCheckpoints: 2);
    private readonly string _runDir = Directory.CreateTempSubdirectory("hpt-snap-").FullName;

    public void Dispose() => Directory.Delete(_runDir, recursive: true);

    private ActorSystem StartSystem(string store) =>
        ActorSystem.Create("snap", PersistenceConfig.Build(JournalStores.Settings(store), _runDir)
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING")));

    private static IActorRef Start(ActorSystem sys, string runId) =>
        sys.ActorOf(CoordinatorActor.Props(runId, Settings, Fixtures.Problems(7), seed: 4, snapshots: EveryTwo));

    private static async Task<RunStatus> StatusOf(IActorRef coordinator) =>
        await coordinator.Ask<RunStatus>(GetRunStatus.Instance, TimeSpan.FromSeconds(20));

    /// <summary>
    /// Trains <paramref name="steps"/> steps at eta 1: each step consumes the two oldest in-flight prompts, a verdict
    /// for a newer in-flight prompt is journaled before it, and every step has a checkpoint.
    /// </summary>
    private static async Task<List<GenerateRollouts>> Train(ActorSystem sys, IActorRef coordinator, TestProbeLike worker, int steps)
    {
        var inFlight = new List<GenerateRollouts>();
        for (var step = 1; step <= steps; step++)
        {
            var status = await StatusOf(coordinator);
            while (status.Accepted < AdmissionControl.Capacity(status.PolicyVersion, Settings.MaxStaleness, Settings.PromptsPerStep))
            {
                coordinator.Tell(new RequestWork(worker.Ref, "w", worker.Version), worker.Ref);
                inFlight.Add(await worker.Inbox.ReceiveAsync<GenerateRollouts>(sys));
                status = await StatusOf(coordinator);
            }
            var scored = inFlight[2];
            coordinator.Tell(new GroupVerified(
                new RolloutsGenerated(scored.Work, scored.Attempt, step - 1, "w", [Fixtures.Rollout("x", step - 1)], 0.1), [1.0], 0, 0));
            var consumed = inFlight.Take(2).Select(g => g.Work.Seq).ToArray();
            inFlight.RemoveRange(0, 2);
            coordinator.Tell(new StepCompleted(step, consumed, Fixtures.Metrics(step)));
            coordinator.Tell(new CheckpointSaved(step, "checkpoint"));
            worker.Version = step;
        }
        await StatusOf(coordinator);
        return inFlight;
    }

    private async Task<JournalView> ReadJournal(string store, string runId)
    {
        using var sys = StartSystem(store);
        try
        {
            return await JournalReader.ReadViewAsync(sys, runId, TimeSpan.FromSeconds(20));
        }
        finally
        {
            await sys.Terminate();
        }
    }

    [Theory]
    [MemberData(nameof(JournalStores.All), MemberType = typeof(JournalStores))]
    public async Task Snapshot_deletes_the_journal_it_covers_and_a_restart_recovers_the_same_state(string store)
    {
        var runId = Guid.NewGuid().ToString("N");
        RunStatus before;
        long expectedNext;
        var first = StartSystem(store);
        try
        {
            var coordinator = Start(first, runId);
            var worker = TestProbeLike.Create(first);
            await Train(first, coordinator, worker, steps: 6);
            before = await StatusOf(coordinator);
            expectedNext = before.Accepted; // no returns: the cursor equals the prompts accepted
            await Task.Delay(500); // the deletes after the step-6 snapshot are asynchronous
        }
        finally
        {
            await first.Terminate();
        }

        var journal = await ReadJournal(store, runId);
        Assert.NotNull(journal.Snapshot);
        Assert.Equal(6, journal.Snapshot!.Current.PolicyVersion);
        // Everything up to the snapshot is gone; what is left is the step-6 checkpoint mark at most.
        Assert.DoesNotContain(journal.Events, e => e is StepRecorded or PromptIssued or GroupScored);
        Assert.True(journal.LastSequenceNr > 30, $"sequence numbers {journal.LastSequenceNr}");
        Assert.Equal(before.TrainedSeqs, journal.State.Trained.Order());
        Assert.Equal(expectedNext, journal.State.NextSeq);
        Assert.Single(journal.State.Scored); // the verdict for a prompt still in flight survives the snapshot

        var second = StartSystem(store);
        try
        {
            var coordinator = Start(second, runId);
            var gate = TestProbeLike.Create(second);
            coordinator.Tell(new GateReady(gate.Ref));
            var handedBack = await gate.Inbox.ReceiveAsync<GroupScored>(second);
            var after = await StatusOf(coordinator);
            Assert.Equal(before.PolicyVersion, after.PolicyVersion);
            Assert.Equal(before.TrainedSeqs, after.TrainedSeqs);
            // The scored prompt stays in flight; the rest died with the process and wait to be issued again.
            Assert.Equal(1, after.InFlight);
            Assert.Equal(before.Accepted - (before.InFlight - 1), after.Accepted);

            // Writing continues after the deleted events (sequence numbers are not reused) and the returned prompt
            // goes out first, then the cursor moves on.
            var worker = TestProbeLike.Create(second, version: 6);
            coordinator.Tell(new RequestWork(worker.Ref, "w", 6), worker.Ref);
            var again = await worker.Inbox.ReceiveAsync<GenerateRollouts>(second);
            Assert.NotEqual(handedBack.Verified.Group.Work.Seq, again.Work.Seq);
            Assert.Equal(2, again.Attempt);
            coordinator.Tell(new RequestWork(worker.Ref, "w2", 6), worker.Ref);
            var fresh = await worker.Inbox.ReceiveAsync<GenerateRollouts>(second);
            Assert.Equal(expectedNext, fresh.Work.Seq);
        }
        finally
        {
            await second.Terminate();
        }
    }

    [Theory]
    [MemberData(nameof(JournalStores.All), MemberType = typeof(JournalStores))]
    public async Task Rollback_to_a_retained_checkpoint_works_after_its_events_are_deleted(string store)
    {
        var runId = Guid.NewGuid().ToString("N");
        IReadOnlyList<long> trainedAtFive;
        var first = StartSystem(store);
        try
        {
            var coordinator = Start(first, runId);
            var worker = TestProbeLike.Create(first);
            var inFlight = await Train(first, coordinator, worker, steps: 5);
            trainedAtFive = (await StatusOf(coordinator)).TrainedSeqs;
            // Step 6: the snapshot covers steps 1..6; checkpoints 5 and 6 are retained (keep 2).
            coordinator.Tell(new StepCompleted(6, inFlight.Take(2).Select(g => g.Work.Seq).ToArray(), Fixtures.Metrics(6)));
            coordinator.Tell(new CheckpointSaved(6, "checkpoint"));
            Assert.Equal(6, (await StatusOf(coordinator)).PolicyVersion);
            await Task.Delay(500);
        }
        finally
        {
            await first.Terminate();
        }

        var second = StartSystem(store);
        try
        {
            var coordinator = Start(second, runId);
            Assert.Equal(6, (await StatusOf(coordinator)).PolicyVersion);
            var rolled = await coordinator.Ask<RunStatus>(new ResumeFrom(5), TimeSpan.FromSeconds(20));
            Assert.Equal(5, rolled.PolicyVersion);
            Assert.Equal(trainedAtFive, rolled.TrainedSeqs);
            Assert.Equal(0, rolled.InFlight);
            // Step 3 was a checkpoint once, but keep = 2 dropped it: asking for it is a clear error, not a wrong state.
            var old = await Record.ExceptionAsync(() => coordinator.Ask<RunStatus>(new ResumeFrom(3), TimeSpan.FromSeconds(10)));
            Assert.Contains("no state for step 3", old?.Message ?? "");
            Assert.Equal(5, (await StatusOf(coordinator)).PolicyVersion); // and nothing was journaled
        }
        finally
        {
            await second.Terminate();
        }
    }

    [Theory]
    [MemberData(nameof(JournalStores.All), MemberType = typeof(JournalStores))]
    public async Task Prompt_set_aside_before_a_snapshot_stays_set_aside_and_replaced_after_a_restart(string store)
    {
        var runId = Guid.NewGuid().ToString("N");
        var settings = PipelineSettings.Default with { PromptsPerStep = 2, MaxStaleness = 0, TotalSteps = 2, MaxAttempts = 1 };
        var everyStep = new SnapshotPolicy(EverySteps: 1, KeepCheckpoints: 2);
        IActorRef StartOne(ActorSystem sys) => sys.ActorOf(CoordinatorActor.Props(runId, settings, Fixtures.Problems(7), seed: 4, snapshots: everyStep));
        async Task<GenerateRollouts> Issue(ActorSystem sys, IActorRef coordinator, TestProbeLike worker)
        {
            coordinator.Tell(new RequestWork(worker.Ref, "w", worker.Version), worker.Ref);
            return await worker.Inbox.ReceiveAsync<GenerateRollouts>(sys);
        }

        var first = StartSystem(store);
        try
        {
            var coordinator = StartOne(first);
            var worker = TestProbeLike.Create(first);
            var failed = await Issue(first, coordinator, worker);
            var kept = await Issue(first, coordinator, worker);
            // One failed generation is max-attempts 1: the prompt is set aside and the next of the data order replaces it.
            coordinator.Tell(new RolloutsFailed(failed.Work, failed.Attempt, "w", "crashed"), worker.Ref);
            var replacement = await Issue(first, coordinator, worker);
            coordinator.Tell(new StepCompleted(1, [kept.Work.Seq, replacement.Work.Seq], Fixtures.Metrics(1)));
            Assert.Equal(1, (await StatusOf(coordinator)).SetAside);
            await Task.Delay(500); // the snapshot of step 1 and the deletes after it are asynchronous
        }
        finally
        {
            await first.Terminate();
        }

        var second = StartSystem(store);
        try
        {
            var coordinator = StartOne(second);
            var status = await StatusOf(coordinator);
            Assert.Equal(1, status.PolicyVersion);
            Assert.Equal(1, status.SetAside);
            // Step 2 still gets its two prompts: the set-aside one is still replaced after the restart.
            var worker = TestProbeLike.Create(second, version: 1);
            var a = await Issue(second, coordinator, worker);
            var b = await Issue(second, coordinator, worker);
            Assert.Equal([3L, 4L], new[] { a.Work.Seq, b.Work.Seq });
        }
        finally
        {
            await second.Terminate();
        }
    }
}
