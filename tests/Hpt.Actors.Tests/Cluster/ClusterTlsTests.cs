using System.Net.Security;
using System.Net.Sockets;
using Akka.Actor;
using MemberStatus = Akka.Cluster.MemberStatus;
using Hpt.Actors.Cluster;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Cluster;

/// <summary>
/// Mutual TLS on loopback: holders of the cluster certificate form a cluster; a node with another certificate, a TLS
/// client without one, and garbage bytes on the port are refused, and the cluster carries on as before.
/// </summary>
public sealed class ClusterTlsTests(ITestOutputHelper output) : ClusterSpec(output), IDisposable
{
    private readonly string _certs = Directory.CreateTempSubdirectory("hpt-tls-").FullName;

    public void Dispose() => Directory.Delete(_certs, recursive: true);

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    private static async Task<ActorSystem> Join(ActorSystem system, Address seed)
    {
        await Akka.Cluster.Cluster.Get(system).JoinAsync(seed).WaitAsync(TimeSpan.FromSeconds(20));
        return system;
    }

    private static int UpMembers(ActorSystem system) =>
        Akka.Cluster.Cluster.Get(system).State.Members.Count(m => m.Status == MemberStatus.Up);

    /// <summary>A remote round trip from <paramref name="from"/> to the echo actor on <paramref name="to"/>.</summary>
    private static async Task<string> RoundTrip(ActorSystem from, ActorSystem to, string text)
    {
        var path = new RootActorPath(Akka.Cluster.Cluster.Get(to).SelfAddress) / "user" / "echo";
        return await from.ActorSelection(path).Ask<string>(text, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Only_holders_of_the_cluster_certificate_join_and_intruders_leave_the_cluster_unaffected()
    {
        var clusterTls = TestCertificates.Create(_certs, "hpt-cluster");
        var intruderTls = TestCertificates.Create(Path.Combine(_certs, "other"), "hpt-cluster"); // same name, other key
        var a = NewSystem(Base with { Roles = [ClusterSettings.Learner], Tls = clusterTls });
        var seed = Akka.Cluster.Cluster.Get(a).SelfAddress;
        Assert.Equal("akka.ssl.tcp", seed.Protocol);
        await Join(a, seed);
        a.ActorOf(Props.Create(() => new Echo()), "echo");
        var b = await Join(NewSystem(Base with { Roles = [ClusterSettings.Rollout], Tls = clusterTls }), seed);
        await AwaitUp(a, 2);
        Assert.Equal("over tls", await RoundTrip(b, a, "over tls"));
        Log("a and b form a cluster over mutual TLS");

        // A node with a certificate nobody pinned (even with the same subject) never becomes a member.
        var intruder = NewSystem(Base with { Roles = [ClusterSettings.Rollout], Tls = intruderTls });
        var intruderJoin = Akka.Cluster.Cluster.Get(intruder).JoinAsync(seed);
        // A TLS client without a client certificate: the handshake fails.
        var anonymous = await Record.ExceptionAsync(() => AnonymousTlsClient(seed));
        Assert.NotNull(anonymous);
        Log($"TLS client without a certificate: {anonymous!.GetType().Name}: {anonymous.Message}");
        // Garbage, then a frame header announcing 30 MiB that never comes: neither reaches Akka's frame decoder.
        using (var garbage = new TcpClient())
        {
            await garbage.ConnectAsync(seed.Host!, seed.Port!.Value);
            var stream = garbage.GetStream();
            var noise = new byte[256 * 1024];
            new Random(5).NextBytes(noise);
            try
            {
                await stream.WriteAsync(noise);
                await stream.WriteAsync(BitConverter.GetBytes(30 * 1024 * 1024));
                await Task.Delay(500);
            }
            catch (IOException e)
            {
                // The node may close the connection on the garbage before the header is written: that is a refusal too.
                Log($"garbage connection closed by the node: {e.Message}");
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(8));
        Assert.False(intruderJoin.IsCompletedSuccessfully, "the node with a foreign certificate joined");
        Assert.Equal(2, UpMembers(a));
        Assert.DoesNotContain(Akka.Cluster.Cluster.Get(a).State.Members, m => m.Address.Equals(Akka.Cluster.Cluster.Get(intruder).SelfAddress));
        Assert.Equal("still here", await RoundTrip(b, a, "still here"));
        Assert.Equal(MemberStatus.Up, Akka.Cluster.Cluster.Get(a).State.Members.Single(m => m.Address.Equals(Akka.Cluster.Cluster.Get(b).SelfAddress)).Status);
    }

    [Fact]
    public async Task A_node_pinning_a_list_of_thumbprints_accepts_a_peer_with_its_own_certificate()
    {
        // Per-node certificates: each node trusts both thumbprints.
        var first = TestCertificates.Create(Path.Combine(_certs, "1"), "node-1");
        var second = TestCertificates.Create(Path.Combine(_certs, "2"), "node-2");
        string[] both = [Thumbprint(first), Thumbprint(second)];
        var a = NewSystem(Base with { Roles = [ClusterSettings.Learner], Tls = first with { TrustedThumbprints = both } });
        var seed = Akka.Cluster.Cluster.Get(a).SelfAddress;
        await Join(a, seed);
        await Join(NewSystem(Base with { Roles = [ClusterSettings.Rollout], Tls = second with { TrustedThumbprints = both } }), seed);
        await AwaitUp(a, 2);
    }

    private static string Thumbprint(ClusterTlsSettings tls)
    {
        using var certificate = ClusterTls.LoadCertificate(tls);
        return certificate.Thumbprint;
    }

    private static async Task AwaitUp(ActorSystem system, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (UpMembers(system) < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{count} members were not up within 20 s");
            await Task.Delay(100);
        }
    }

    private static async Task AnonymousTlsClient(Address seed)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(seed.Host!, seed.Port!.Value);
        await using var tls = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "hpt" }).WaitAsync(TimeSpan.FromSeconds(10));
        // TLS 1.3 reports a missing client certificate after the handshake: the server closes the connection.
        await tls.WriteAsync(new byte[64]);
        var read = await tls.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        if (read == 0) throw new IOException("the node closed the connection");
    }
}
