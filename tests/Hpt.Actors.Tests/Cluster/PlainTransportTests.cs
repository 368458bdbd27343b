using System.Net.Sockets;
using Akka.Actor;
using Hpt.Actors.Cluster;
using MemberStatus = Akka.Cluster.MemberStatus;
using Xunit.Abstractions;

namespace Hpt.Actors.Tests.Cluster;

/// <summary>
/// The plain TCP transport (loopback without TLS) bounds what a peer that is not a node can make a node hold: a frame
/// header announcing more than hpt.cluster.maximum-frame-size closes that connection at once, and connections holding
/// incomplete frames up to the limit leave the node answering. Akka.Remote's DotNetty transport has no cap on the number
/// of connections (its settings are the frame size, socket buffers and the accept backlog): a peer can hold one
/// incomplete frame per connection, which is why a node that reaches beyond loopback needs TLS (ClusterSettings).
/// </summary>
public sealed class PlainTransportTests(ITestOutputHelper output) : ClusterSpec(output)
{
    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    private static async Task<string> RoundTrip(ActorSystem from, ActorSystem to, string text)
    {
        var path = new RootActorPath(Akka.Cluster.Cluster.Get(to).SelfAddress) / "user" / "echo";
        return await from.ActorSelection(path).Ask<string>(text, TimeSpan.FromSeconds(10));
    }

    /// <summary>Reads until the node closes the connection (0 bytes or a reset); false if it is still open after <paramref name="timeout"/>.</summary>
    private static async Task<bool> ClosedByPeer(NetworkStream stream, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, cancel.Token) > 0) { }
            return true;
        }
        catch (IOException)
        {
            return true; // reset
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [Fact]
    public async Task An_oversized_frame_closes_its_connection_and_incomplete_frames_up_to_the_limit_leave_the_node_answering()
    {
        var settings = Base with { Roles = [ClusterSettings.Learner], MaximumFrameSize = 1024 * 1024 };
        var a = NewSystem(settings);
        var seed = Akka.Cluster.Cluster.Get(a).SelfAddress;
        Assert.Equal("akka.tcp", seed.Protocol);
        await Akka.Cluster.Cluster.Get(a).JoinAsync(seed).WaitAsync(TimeSpan.FromSeconds(20));
        a.ActorOf(Props.Create(() => new Echo()), "echo");
        var b = NewSystem(Base with { Roles = [ClusterSettings.Rollout], MaximumFrameSize = 1024 * 1024 });
        await Akka.Cluster.Cluster.Get(b).JoinAsync(seed).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("before", await RoundTrip(b, a, "before"));

        // A header announcing 64 MiB (little-endian length, as Akka's framing) and the start of the body.
        using (var oversized = new TcpClient())
        {
            await oversized.ConnectAsync(seed.Host!, seed.Port!.Value);
            var stream = oversized.GetStream();
            await stream.WriteAsync(BitConverter.GetBytes(64 * 1024 * 1024));
            await stream.WriteAsync(new byte[64 * 1024]);
            Assert.True(await ClosedByPeer(stream, TimeSpan.FromSeconds(10)), "the node kept a connection that announced a 64 MiB frame open");
        }
        Log("a 64 MiB frame header: connection closed by the node");

        // Peers holding frames just under the limit, never completed: each costs the node at most one frame.
        var holders = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 16; i++)
            {
                var holder = new TcpClient();
                holders.Add(holder);
                await holder.ConnectAsync(seed.Host!, seed.Port!.Value);
                var stream = holder.GetStream();
                await stream.WriteAsync(BitConverter.GetBytes(1024 * 1024 - 1024));
                await stream.WriteAsync(new byte[1024 * 1024 - 4096]);
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal("while held", await RoundTrip(b, a, "while held"));
            Log($"16 connections holding incomplete 1 MiB frames: round trip in {clock.ElapsedMilliseconds} ms");
        }
        finally
        {
            foreach (var holder in holders) holder.Dispose();
        }

        Assert.Equal("after", await RoundTrip(b, a, "after"));
        Assert.Equal(2, Akka.Cluster.Cluster.Get(a).State.Members.Count(m => m.Status == MemberStatus.Up));
    }
}
