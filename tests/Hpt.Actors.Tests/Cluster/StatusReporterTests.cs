using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Hpt.Actors.Checkpoints;
using Hpt.Actors.Cluster;
using Hpt.Actors.Protocol;
using Hpt.Actors.Tests.Doubles;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Cluster;

/// <summary>
/// The learner side of `hpt status --cluster`, on a two-node loopback cluster (this TestKit's system, a learner, and
/// a rollout member): the <see cref="StatusReporter"/> answers with the coordinator's latest report, the run
/// directory's journal and checkpoint, and the membership; <see cref="ClusterStatusService"/> passes a query to the
/// learner and says why when the learner does not answer in time.
/// </summary>
public sealed class StatusReporterTests : TestKit, IDisposable
{
    private static readonly ClusterSettings Learner = ClusterSettings.Default with { Roles = [ClusterSettings.Learner], Port = 0, AdmissionRoles = ["hpt-1", "settings-aaaa"] };
    private static readonly ClusterSettings Rollout = Learner with { Roles = [ClusterSettings.Rollout] };
    private readonly string _runDir = Directory.CreateTempSubdirectory("hpt-status-").FullName;
    private readonly ActorSystem _rollout;

    public StatusReporterTests(ITestOutputHelper output)
        : base(Node(Learner), ClusterSettings.SystemName, output)
    {
        var self = Akka.Cluster.Cluster.Get(Sys);
        self.JoinAsync(self.SelfAddress).Wait(TimeSpan.FromSeconds(20));
        _rollout = ActorSystem.Create(ClusterSettings.SystemName, Node(Rollout));
        Akka.Cluster.Cluster.Get(_rollout).JoinAsync(self.SelfAddress).Wait(TimeSpan.FromSeconds(20));
        AwaitCondition(() => self.State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == 2, TimeSpan.FromSeconds(20));
    }

    private static Config Node(ClusterSettings settings) =>
        ConfigurationFactory.ParseString("akka.remote.log-remote-lifecycle-events = off")
            .WithFallback(ClusterConfig.Build(settings)).WithFallback(TestConfig.Default);

    public new void Dispose()
    {
        _rollout.Terminate().Wait(TimeSpan.FromSeconds(10));
        Directory.Delete(_runDir, recursive: true);
    }

    private static PipelineReport Report(long step, string rolloutHostPort) => new(DateTime.UtcNow, step, 100, 120, 1.5, 2.0, 3.0, 10.6, 0.25, 88, 90, 1, 2, 0,
        [new WorkerReport($"{rolloutHostPort}/rollout-0", step, [new PromptInFlight(81, 2, 4.2), new PromptInFlight(82, 1, 1.0)])], false, null);

    [Fact]
    public void The_reporter_answers_with_the_latest_report_the_run_files_and_every_member_with_its_roles()
    {
        File.WriteAllBytes(Path.Combine(_runDir, "journal.db"), new byte[8192]);
        new CheckpointStore(Path.Combine(_runDir, "checkpoints"), 3).Save(40, 40, "h", f => File.WriteAllText(Path.Combine(f, "w"), "x"));
        var reporter = Sys.ActorOf(StatusReporter.Props(_runDir));
        var query = new GetClusterStatus(TimeSpan.FromSeconds(5));

        reporter.Tell(query);
        Assert.Contains("has not reported yet", ExpectMsg<ClusterStatusUnavailable>().Reason);

        var rolloutAddress = Akka.Cluster.Cluster.Get(_rollout).SelfAddress;
        var rolloutHostPort = $"{rolloutAddress.Host}:{rolloutAddress.Port}";
        Sys.EventStream.Publish(Report(39, rolloutHostPort));
        Sys.EventStream.Publish(Report(40, rolloutHostPort));
        AwaitAssert(() =>
        {
            reporter.Tell(query);
            var status = ExpectMsg<ClusterStatus>();
            Assert.Equal(40, status.Report.PolicyVersion); // the latest report, not the first
        }, TimeSpan.FromSeconds(5));

        reporter.Tell(query);
        var answer = ExpectMsg<ClusterStatus>();
        var self = Akka.Cluster.Cluster.Get(Sys).SelfAddress.ToString();
        Assert.Equal(self, answer.LearnerNode);
        Assert.Equal(8192, answer.Files.JournalBytes);
        Assert.Equal("step-00000040", answer.Files.NewestCheckpoint);
        Assert.Equal(2, answer.Report.Workers.Single().Prompts.Count);
        Assert.Collection(answer.Members,
            learner =>
            {
                Assert.Equal(self, learner.Address);
                Assert.Equal([ClusterSettings.Learner, ClusterSettings.Verifier], learner.Roles); // it hosts the verifiers; admission roles are not shown
                Assert.Equal("Up", learner.Status);
                Assert.True(learner.HostsLearner);
                Assert.True(learner.Reachable);
                Assert.True(learner.Admitted);
            },
            rollout =>
            {
                Assert.Equal(rolloutAddress.ToString(), rollout.Address);
                Assert.Equal([ClusterSettings.Rollout], rollout.Roles);
                Assert.Equal("Up", rollout.Status);
                Assert.False(rollout.HostsLearner);
                Assert.True(rollout.Reachable);
            });
    }

    [Fact]
    public void The_service_passes_a_query_to_the_learner_and_its_answer_back_to_the_asker()
    {
        var learner = CreateTestProbe();
        var service = Sys.ActorOf(ClusterStatusService.Props(learner.Ref));
        service.Tell(new GetClusterStatus(TimeSpan.FromSeconds(8)));

        var forwarded = learner.ExpectMsg<GetClusterStatus>();
        Assert.Equal(TimeSpan.FromSeconds(6), forwarded.Within); // the learner gets less time than the asker waits
        var status = new ClusterStatus(Report(3, "127.0.0.1:1"), RunFilesReport.Unknown, [], "akka.tcp://hpt@127.0.0.1:1");
        learner.Reply(status);
        Assert.Same(status, ExpectMsg<ClusterStatus>());
    }

    [Fact]
    public void The_service_says_why_when_the_learner_does_not_answer_before_the_asker_gives_up()
    {
        var silent = CreateTestProbe();
        var service = Sys.ActorOf(ClusterStatusService.Props(silent.Ref));
        service.Tell(new GetClusterStatus(TimeSpan.FromSeconds(2)));

        var unavailable = ExpectMsg<ClusterStatusUnavailable>(TimeSpan.FromSeconds(2)); // before the asker's 2 s are up
        Assert.Contains("no answer from the learner singleton within 1.5s", unavailable.Reason);
        Assert.Contains(Akka.Cluster.Cluster.Get(Sys).SelfAddress.ToString(), unavailable.Reason);
    }

    [Fact]
    public void The_service_bounds_the_wait_an_asker_asks_for()
    {
        var learner = CreateTestProbe();
        var service = Sys.ActorOf(ClusterStatusService.Props(learner.Ref));
        service.Tell(new GetClusterStatus(TimeSpan.FromDays(3)));
        Assert.Equal(TimeSpan.FromSeconds(60), learner.ExpectMsg<GetClusterStatus>().Within);
        service.Tell(new GetClusterStatus(TimeSpan.FromTicks(-5)));
        Assert.Equal(TimeSpan.FromMilliseconds(500), learner.ExpectMsg<GetClusterStatus>().Within);
    }
}
