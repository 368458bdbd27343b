using Akka.Actor;
using Hpt.Actors.Cluster;
using Hpt.Actors.Protocol;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Cluster;

/// <summary>
/// The client of `hpt status --cluster` against a node on loopback with mutual TLS: with the cluster's certificate it
/// gets the learner's status without becoming a member; with another certificate it is refused and fails with the
/// address in the message within its deadline; and its address argument is checked against its transport.
/// </summary>
public sealed class ClusterStatusClientTests(ITestOutputHelper output) : ClusterSpec(output), IDisposable
{
    private readonly string _certs = Directory.CreateTempSubdirectory("hpt-status-tls-").FullName;

    public void Dispose() => Directory.Delete(_certs, recursive: true);

    private static PipelineReport Report(long step) => new(DateTime.UtcNow, step, 50, 12, 0.5, 1.0, 1.1, 20, 0.5, 12, 16, 0, 0, 1, [], false, null);

    /// <summary>A learner node with TLS whose status service is answered by a real reporter that has seen one report.</summary>
    private async Task<(ActorSystem Node, Address Address)> Node(ClusterTlsSettings tls)
    {
        var node = NewSystem(Base with { Roles = [ClusterSettings.Learner], Tls = tls });
        var cluster = Akka.Cluster.Cluster.Get(node);
        await cluster.JoinAsync(cluster.SelfAddress).WaitAsync(TimeSpan.FromSeconds(20));
        var reporter = node.ActorOf(StatusReporter.Props(null), "reporter");
        node.ActorOf(ClusterStatusService.Props(reporter), ClusterStatusService.Name);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await reporter.Ask<object>(new GetClusterStatus(TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(5)) is not ClusterStatus)
        {
            Assert.True(DateTime.UtcNow < deadline, "the reporter never saw the report");
            node.EventStream.Publish(Report(7));
            await Task.Delay(50);
        }
        return (node, cluster.SelfAddress);
    }

    [Fact]
    public async Task A_client_with_the_cluster_certificate_gets_the_status_without_joining()
    {
        var tls = TestCertificates.Create(_certs, "hpt-cluster");
        var (node, address) = await Node(tls);
        Assert.Equal("akka.ssl.tcp", address.Protocol);

        var status = await ClusterStatusClient.AskAsync(Base with { Tls = tls }, $"{address.Host}:{address.Port}", TimeSpan.FromSeconds(15));
        Assert.Equal(7, status.Report.PolicyVersion);
        var member = Assert.Single(status.Members); // the client is no member
        Assert.Equal(address.ToString(), member.Address);
        Assert.True(member.HostsLearner);
        Assert.Single(Akka.Cluster.Cluster.Get(node).State.Members);
        Assert.Empty(Akka.Cluster.Cluster.Get(node).State.Unreachable);
    }

    [Fact]
    public async Task A_client_with_another_certificate_is_refused_and_fails_naming_the_address_by_its_deadline()
    {
        var (_, address) = await Node(TestCertificates.Create(_certs, "hpt-cluster"));
        var other = TestCertificates.Create(Path.Combine(_certs, "other"), "hpt-cluster"); // same name, other key
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<ClusterStatusException>(() =>
            ClusterStatusClient.AskAsync(Base with { Tls = other }, address.ToString(), TimeSpan.FromSeconds(3)));
        Log($"{clock.Elapsed.TotalSeconds:0.0}s: {e.Message}");
        Assert.Contains($"the cluster node at {address}", e.Message);
        Assert.Contains("certificate", e.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 15);
    }

    [Fact]
    public void The_address_is_host_and_port_or_a_node_address_of_this_transport()
    {
        var plain = Base with { Tls = null };
        Assert.Equal("akka.tcp://hpt@10.0.0.1:4053", ClusterStatusClient.NodeAddress("10.0.0.1:4053", plain).ToString());
        Assert.Equal("akka.tcp://hpt@10.0.0.1:4053", ClusterStatusClient.NodeAddress(" akka.tcp://hpt@10.0.0.1:4053 ", plain).ToString());
        var tls = Base with { Tls = new ClusterTlsSettings("c.crt", "c.key", []) };
        Assert.Equal("akka.ssl.tcp://hpt@10.0.0.1:4053", ClusterStatusClient.NodeAddress("10.0.0.1:4053", tls).ToString());
        Assert.Contains("this process uses akka.ssl.tcp", Assert.Throws<ClusterStatusException>(() => ClusterStatusClient.NodeAddress("akka.tcp://hpt@10.0.0.1:4053", tls)).Message);
        Assert.Contains("needs a host and a port", Assert.Throws<ClusterStatusException>(() => ClusterStatusClient.NodeAddress("10.0.0.1", plain)).Message);
        Assert.Contains("named 'hpt', not 'other'", Assert.Throws<ClusterStatusException>(() => ClusterStatusClient.NodeAddress("akka.tcp://other@10.0.0.1:4053", plain)).Message);
        Assert.Contains("is not HOST:PORT", Assert.Throws<ClusterStatusException>(() => ClusterStatusClient.NodeAddress("::::", plain)).Message);
    }
}
