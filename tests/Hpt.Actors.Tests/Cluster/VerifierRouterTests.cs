using System.Collections.Concurrent;
using Akka.Actor;
using Hpt.Actors.Cluster;
using Hpt.Actors.Protocol;
using MemberStatus = Akka.Cluster.MemberStatus;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Cluster;

/// <summary>
/// A rollout node's verifier router sends groups only to verifier members of this run: a member that came up with other
/// generation settings, or a learner node of another run (both possible with a node of an older build, which no join
/// check stopped, until the admission guard downs it after its grace period), gets none.
/// </summary>
public sealed class VerifierRouterTests(ITestOutputHelper output) : ClusterSpec(output)
{
    /// <summary>Stands in for a node's verifier pool: counts what reaches it.</summary>
    private sealed class Pool : ReceiveActor
    {
        public Pool(ConcurrentQueue<object> received) => ReceiveAny(received.Enqueue);
    }

    private async Task<(ActorSystem System, ConcurrentQueue<object> Received)> Node(string[] roles, string settings, string? run, Address? seed)
    {
        string[] admission = run is null ? ["hpt-1", NodeAdmission.SettingsPrefix + settings] : ["hpt-1", NodeAdmission.SettingsPrefix + settings, NodeAdmission.RunPrefix + run];
        var system = NewSystem(Base with { Roles = roles, LearnerHostsVerifiers = false, AdmissionRoles = admission });
        var received = new ConcurrentQueue<object>();
        system.ActorOf(Props.Create(() => new Pool(received)), ClusterNode.VerifierPoolName);
        var cluster = Akka.Cluster.Cluster.Get(system);
        await cluster.JoinAsync(seed ?? cluster.SelfAddress).WaitAsync(TimeSpan.FromSeconds(20));
        return (system, received);
    }

    [Fact]
    public async Task Groups_go_only_to_verifier_members_of_this_run_with_this_nodes_settings()
    {
        // The run's learner (oldest, so the singleton's node), with its verifier pool.
        var (learner, learnerGot) = await Node([ClusterSettings.Learner, ClusterSettings.Verifier], "aaaa", "run1", null);
        var seed = Akka.Cluster.Cluster.Get(learner).SelfAddress;
        var (verifier, verifierGot) = await Node([ClusterSettings.Verifier], "aaaa", null, seed);
        // Up although they do not match (no admission guard runs here, as with a node of an older build).
        var (otherSettings, otherSettingsGot) = await Node([ClusterSettings.Verifier], "bbbb", null, seed);
        var (otherRun, otherRunGot) = await Node([ClusterSettings.Learner, ClusterSettings.Verifier], "aaaa", "run2", seed);
        var (rollout, _) = await Node([ClusterSettings.Rollout], "aaaa", null, seed);

        var router = ClusterNode.StartVerifierRouter(rollout);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Akka.Cluster.Cluster.Get(rollout).State.Members.Count(m => m.Status == MemberStatus.Up) < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, "not every node came up");
            await Task.Delay(50);
        }
        // The router learns the members as they come up: a group sent before that may go nowhere; wait until both of
        // this run's verifiers got one.
        deadline = DateTime.UtcNow.AddSeconds(20);
        var sent = 0;
        while (learnerGot.IsEmpty || verifierGot.IsEmpty)
        {
            Assert.True(DateTime.UtcNow < deadline, "the router reached neither of this run's verifiers");
            router.Tell(new RunCompleted(sent++));
            await Task.Delay(20);
        }
        for (var i = 0; i < 40; i++) router.Tell(new RunCompleted(sent++));
        await Task.Delay(1000);
        Log($"sent {sent}: learner {learnerGot.Count}, verifier {verifierGot.Count}, other settings {otherSettingsGot.Count}, other run {otherRunGot.Count}");
        Assert.Empty(otherSettingsGot);
        Assert.Empty(otherRunGot);
        Assert.True(learnerGot.Count >= 10 && verifierGot.Count >= 10, "this run's verifiers did not share the groups");
        GC.KeepAlive(new[] { verifier, otherSettings, otherRun });
    }

    [Fact]
    public async Task A_group_sent_before_the_router_knows_the_membership_waits_for_a_verifier_instead_of_being_lost()
    {
        // The workers start with the router and may send their first group before its membership snapshot arrives.
        var (node, got) = await Node([ClusterSettings.Learner, ClusterSettings.Verifier, ClusterSettings.Rollout], "aaaa", "run1", null);
        var router = ClusterNode.StartVerifierRouter(node);
        router.Tell(new RunCompleted(1));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (got.IsEmpty)
        {
            Assert.True(DateTime.UtcNow < deadline, "the group sent first never reached the verifier pool");
            await Task.Delay(20);
        }
        Assert.Equal(1, Assert.IsType<RunCompleted>(Assert.Single(got)).PolicyVersion);
    }
}
