using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote;
using Hpt.Actors.Hosting;
using Hpt.Actors.Protocol;

namespace Hpt.Actors.Cluster;

/// <summary>
/// `hpt status --cluster ADDRESS`: a short-lived process outside the cluster asks one node's
/// <see cref="ClusterStatusService"/> for the learner's <see cref="ClusterStatus"/> and leaves. It uses the nodes'
/// transport and TLS certificate (<see cref="ClusterConfig.WithClusterClient"/>) but never joins: the membership, the
/// split-brain resolver and the routers never see it, and its leaving is a closed connection, not an unreachable member.
/// </summary>
public static class ClusterStatusClient
{
    /// <summary>The ActorSystem name of the client (never the cluster's, so it cannot be mistaken for a node).</summary>
    public const string SystemName = "hpt-status";

    /// <summary>
    /// Asks the node at <paramref name="target"/> (HOST:PORT, or a node address like
    /// akka.tcp://hpt@HOST:PORT) and returns the learner's answer. Throws <see cref="ClusterStatusException"/>, naming
    /// the address, when none comes within <paramref name="deadline"/> or the node cannot reach the learner.
    /// </summary>
    public static async Task<ClusterStatus> AskAsync(ClusterSettings settings, string target, TimeSpan deadline, bool verbose = false)
    {
        var address = NodeAddress(target, settings);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // The client's own log stays quiet: a refused connection is reported once, in the error line.
        var quiet = ConfigurationFactory.ParseString($"akka.loglevel = {(verbose ? "WARNING" : "OFF")}\nakka.stdout-loglevel = {(verbose ? "WARNING" : "OFF")}");
        var host = await AkkaHost.StartAsync(SystemName, quiet, akka => akka.WithClusterClient(settings), ClusterTls.SslSetup(settings));
        try
        {
            var service = host.System.ActorSelection($"{address}/user/{ClusterStatusService.Name}");
            var left = deadline - clock.Elapsed;
            if (left <= TimeSpan.Zero) throw Timeout(address, deadline, settings);
            // A refused connection (nothing listens, or the TLS handshake failed) loses the query: say so at once.
            var refused = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var listener = host.System.ActorOf(Akka.Actor.Props.Create(() => new AssociationFailures(address, refused)));
            host.System.EventStream.Subscribe(listener, typeof(AssociationErrorEvent));
            var ask = service.Ask<object>(new GetClusterStatus(left), left);
            if (await Task.WhenAny(ask, refused.Task) == refused.Task)
                throw new ClusterStatusException($"cannot connect to the cluster node at {address}: {await refused.Task}" +
                                                 (settings.Tls is null ? "" : " (with TLS: does the node accept this process's certificate, hpt.cluster.tls?)"));
            object answer;
            try
            {
                answer = await ask;
            }
            catch (AskTimeoutException)
            {
                throw Timeout(address, deadline, settings);
            }
            return answer switch
            {
                ClusterStatus status => status,
                ClusterStatusUnavailable unavailable => throw new ClusterStatusException($"the node at {address} answered, but: {unavailable.Reason}"),
                var other => throw new ClusterStatusException($"the node at {address} answered with an unexpected {other.GetType().Name}"),
            };
        }
        finally
        {
            // Leaving closes the connection; the node only sees an outside connection end (no member was ever added).
            await host.DisposeAsync();
        }
    }

    /// <summary>HOST:PORT or a full node address, checked against this process's transport (TLS or not).</summary>
    public static Address NodeAddress(string target, ClusterSettings settings)
    {
        var text = target.Trim();
        if (!text.Contains("://", StringComparison.Ordinal)) text = $"{settings.Scheme}://{ClusterSettings.SystemName}@{text}";
        Address address;
        try
        {
            address = Address.Parse(text);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            throw new ClusterStatusException($"--cluster '{target}' is not HOST:PORT or {settings.Scheme}://{ClusterSettings.SystemName}@HOST:PORT");
        }
        if (address.Host is null || address.Port is not > 0)
            throw new ClusterStatusException($"--cluster '{target}' needs a host and a port: HOST:PORT or {settings.Scheme}://{ClusterSettings.SystemName}@HOST:PORT");
        if (address.System != ClusterSettings.SystemName)
            throw new ClusterStatusException($"--cluster '{target}': an hpt cluster's nodes are named '{ClusterSettings.SystemName}', not '{address.System}'");
        if (address.Protocol != settings.Scheme)
            throw new ClusterStatusException($"--cluster '{target}' is an {address.Protocol} address, but this process uses {settings.Scheme} " +
                                             (settings.Tls is null ? "(no TLS: set hpt.cluster.tls.certificate and key as on the nodes)" : "(hpt.cluster.tls is set)"));
        return address;
    }

    private static ClusterStatusException Timeout(Address address, TimeSpan deadline, ClusterSettings settings) =>
        new($"no status from the cluster node at {address} within {deadline.TotalSeconds:0.#}s: no hpt node listens there, or it " +
            (settings.Tls is null
                ? "uses TLS (then give this command the nodes' hpt.cluster.tls settings)"
                : "does not accept this process's certificate (hpt.cluster.tls must be the nodes')"));
}

/// <summary>Completes <paramref name="refused"/> with the cause when the transport fails to associate with <paramref name="target"/>.</summary>
internal sealed class AssociationFailures : ReceiveActor
{
    public AssociationFailures(Address target, TaskCompletionSource<string> refused) =>
        Receive<AssociationErrorEvent>(e =>
        {
            if (e.RemoteAddress == target) refused.TrySetResult(Cause(e.Cause));
        });

    /// <summary>The innermost reason, without the address Akka appends to it (the error line names it already).</summary>
    private static string Cause(Exception e)
    {
        while (e.InnerException is { Message.Length: > 0 } inner) e = inner;
        var text = e.Message.Trim();
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var cut = scheme < 0 ? -1 : text.LastIndexOf(' ', scheme);
        return (cut > 0 ? text[..cut] : text).TrimEnd(':', ' ', '.').ToLowerInvariant();
    }
}

/// <summary>`hpt status --cluster` could not get a status: the message names the address and why.</summary>
public sealed class ClusterStatusException(string message) : Exception(message);
