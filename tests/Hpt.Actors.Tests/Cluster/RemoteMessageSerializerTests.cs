using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Hpt.Actors.Cluster;
using Hpt.Training.Engines;
using Hpt.Actors.Protocol;
using Hpt.Actors.Serialization;
using Hpt.Actors.Tests.Doubles;
using Hpt.Core.Gating;
using Xunit.Abstractions;
using Hpt.Actors.WeightPublishing;

namespace Hpt.Actors.Tests.Cluster;

public sealed class RemoteMessageSerializerTests(ITestOutputHelper output)
    : TestKit(ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            """).WithFallback(ClusterConfig.Serialization()).WithFallback(TestConfig.Default), "hpt", output)
{
    private static readonly WeightFile Weights = new(4, "policy-v00000004.safetensors", new string('a', 64), 1234);

    private static StepMetrics Metrics => Fixtures.Metrics(3) with { Loss = double.NaN, GradNorm = double.PositiveInfinity, Tokens = 17 };

    private static RolloutsGenerated Group => new(Fixtures.Work(5), 2, 3, "127.0.0.1:4053/rollout-1",
        [Fixtures.Rollout("10", 3), Fixtures.Rollout("nope", 2) with { Truncated = true }], 0.25);

    private IEnumerable<object> Messages()
    {
        yield return new RequestWork(TestActor, "127.0.0.1:4053/rollout-0", 3);
        yield return new RegisterWorker(TestActor, "127.0.0.1:4053/rollout-0", -1);
        yield return new GenerateRollouts(Fixtures.Work(5), 2, 8, 3);
        yield return Group;
        yield return new RolloutsFailed(Fixtures.Work(5), 1, "w", "boom");
        yield return new UpdatePolicy(new PolicySnapshot(4, Weights));
        yield return new GroupVerified(Group, [1, 0], 1, 0);
        yield return new TrainOnPrompt(Fixtures.Scored(5, [Fixtures.Rollout("10", 3), Fixtures.Rollout("9", 3)], [1, 0], attempt: 2), GateRoute.Mixed,
            0.5, 0.25, [new TrainRow(Fixtures.Rollout("10", 3), null, 0.5, 1, 0), new TrainRow(null, "10", 1, 0, 1)]);
        yield return new PromptTooStale(Fixtures.Work(5), 1, 2, 5);
        yield return new StepCompleted(3, [1, 2, 9], Metrics);
        yield return new PolicyPublished(new PolicySnapshot(4, Weights));
        yield return new DuplicateDropped(3, 2);
        yield return new WatchRun(TestActor);
        yield return new RunCompleted(5);
        yield return GetRunStatus.Instance;
        yield return new RunStatus(2, 9, 3, 1, 4, [0, 1, 2, 3, 4, 5], false);
        yield return new RunProgress(3, 10, Metrics, 12.5);
        yield return new ResumeFrom(2);
        yield return SaveCheckpointNow.Instance;
        yield return new CheckpointSaved(2, null);
        yield return new RunStalled("no step for 7200s");
        yield return Fixtures.Work(5);
        yield return Fixtures.Rollout("10", 3);
        yield return new TrainRow(null, "10", 1, 0, 1);
        yield return new GetClusterStatus(TimeSpan.FromSeconds(7.5));
        yield return new ClusterStatus(new PipelineReport(new DateTime(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc), 40, 100, 120, 1.5, null, 3.0,
                double.NaN, 0.25, 88, 90, 1, 2, 0, [new WorkerReport("127.0.0.1:4054/rollout-0", 40, [new PromptInFlight(81, 2, 4.2)])], false, "stuck"),
            new RunFilesReport(4096, "step-00000040", new DateTime(2026, 12, 1, 11, 59, 0, DateTimeKind.Utc)),
            [new MemberReport("akka.tcp://hpt@127.0.0.1:4053", ["learner", "verifier"], "Up", true, true, true),
             new MemberReport("akka.tcp://hpt@127.0.0.1:4054", ["rollout"], "Leaving", false, false, false)], "akka.tcp://hpt@127.0.0.1:4053");
        yield return new ClusterStatusUnavailable("the learner is recovering");
        yield return new JoinRefused("akka.tcp://hpt@127.0.0.1:4053", ["learner", "hpt-1", "run-0123456789ab"],
            new AdmissionSettings(new Dictionary<string, string> { ["hpt.rollout.temperature"] = "1" },
                new Dictionary<string, string> { ["hpt.run.id"] = "run1", ["hpt.task.data-file"] = "12 bytes, sha256 00ff" }));
        yield return new JoinRefused("akka.tcp://hpt@127.0.0.1:4053", ["rollout", "hpt-1"], AdmissionSettings.None); // a rollout node has no run
    }

    [Fact]
    public void Every_message_that_crosses_nodes_round_trips_through_the_explicit_serializer()
    {
        var tested = new HashSet<Type>();
        foreach (var message in Messages())
        {
            var serializer = Sys.Serialization.FindSerializerFor(message);
            Assert.IsType<RemoteMessageSerializer>(serializer);
            var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
            Assert.EndsWith(".v1", manifest);
            var bytes = serializer.ToBinary(message);
            var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

            Assert.IsType(message.GetType(), back);
            // Same bytes again: every field survived (records with arrays do not compare by value).
            Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(serializer.ToBinary(back)));
            tested.Add(message.GetType());
        }
        Assert.Equal(RemoteMessageSerializer.Manifests.Keys.OrderBy(t => t.Name), tested.OrderBy(t => t.Name));
    }

    [Fact]
    public void Work_sent_to_a_rollout_node_holds_neither_the_gold_answer_nor_the_demonstration()
    {
        var problem = Fixtures.Problem(21); // "21+21=", answer and demonstration "42"
        foreach (var message in new object[] { new GenerateRollouts(Fixtures.Work(21), 1, 4, 0), new RolloutsFailed(Fixtures.Work(21), 1, "w", "x") })
        {
            var serializer = Sys.Serialization.FindSerializerFor(message);
            var json = Encoding.UTF8.GetString(serializer.ToBinary(message));
            Assert.Contains($"\"ProblemId\":\"{problem.Id}\"", json);
            Assert.DoesNotContain(problem.Answer, json);
            Assert.DoesNotContain("Answer", json);
            Assert.DoesNotContain("Demonstration", json);
        }
    }

    [Fact]
    public void Actor_references_travel_as_paths_and_resolve_on_the_receiving_side()
    {
        var request = RoundTrip(new RequestWork(TestActor, "w", 3));
        Assert.Equal(TestActor, request.Worker);
        Assert.Equal(TestActor.Path.Uid, request.Worker.Path.Uid);
        request.Worker.Tell("resolved");
        ExpectMsg("resolved");
        Assert.Equal(TestActor, RoundTrip(new WatchRun(TestActor)).ReplyTo);
    }

    [Fact]
    public void Policy_updates_carry_a_weight_file_reference_and_nothing_else()
    {
        var update = RoundTrip(new UpdatePolicy(new PolicySnapshot(4, Weights)));
        Assert.Equal(4, update.Snapshot.Version);
        Assert.Equal(Weights, update.Snapshot.Weights);

        var serializer = new RemoteMessageSerializer((ExtendedActorSystem)Sys);
        var inProcess = new UpdatePolicy(Fixtures.Snapshot(4));
        Assert.Contains("cannot leave the process", Assert.Throws<ArgumentException>(() => serializer.ToBinary(inProcess)).Message);
    }

    [Fact]
    public void Rollout_arrays_and_special_numbers_survive()
    {
        var group = RoundTrip(Group);
        Assert.Equal(Group.Rollouts[1].BehaviourLogProbs, group.Rollouts[1].BehaviourLogProbs);
        Assert.Equal(Group.Rollouts[1].TokenVersions, group.Rollouts[1].TokenVersions);
        Assert.True(group.Rollouts[1].Truncated);
        Assert.Equal(2, group.Rollouts[1].OldestVersion);
        var step = RoundTrip(new StepCompleted(3, [1, 2], Metrics));
        Assert.True(double.IsNaN(step.Metrics.Loss));
        Assert.Equal(double.PositiveInfinity, step.Metrics.GradNorm);
    }

    [Fact]
    public void Unknown_manifests_and_weight_files_outside_the_directory_are_refused()
    {
        var serializer = new RemoteMessageSerializer((ExtendedActorSystem)Sys);
        Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "hpt.request-work.v2"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "System.IO.FileInfo"));
        var escaping = """{"Weights":{"Version":1,"FileName":"../../etc/passwd","Sha256":"00","Bytes":1}}"""u8.ToArray();
        Assert.Throws<SerializationException>(() => serializer.FromBinary(escaping, "hpt.policy-published.v1"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary("{not json"u8.ToArray(), "hpt.run-completed.v1"));
    }

    [Fact]
    public void The_json_fallback_refuses_type_tagged_payloads_in_both_directions()
    {
        var gadget = """{"$type":"System.IO.FileInfo, System.Private.CoreLib","OriginalPath":"/tmp/x"}"""u8.ToArray();
        var inbound = Assert.ThrowsAny<SerializationException>(() => Sys.Serialization.Deserialize(gadget, 1, ""));
        Assert.Contains("refused", inbound.Message);
        // Outbound: strict mode refuses a type without a binding before any serializer sees it.
        Assert.Throws<SerializationException>(() => Sys.Serialization.FindSerializerFor(new Unbound("x")));
        var json = new RefusingJsonSerializer((ExtendedActorSystem)Sys);
        Assert.Throws<SerializationException>(() => json.ToBinary(new Unbound("x")));
    }

    private T RoundTrip<T>(T message) where T : notnull
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        return (T)Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
    }

    private sealed record Unbound(string Value);
}
