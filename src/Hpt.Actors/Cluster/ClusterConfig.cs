using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Hpt.Actors.Serialization;
using Microsoft.Extensions.DependencyInjection;

namespace Hpt.Actors.Cluster;

/// <summary>
/// The Akka side of a cluster node, the Akka.Hosting way: remoting (address, frame size, TLS on/off), clustering
/// (roles, seed nodes, the keep-majority split-brain resolver, the failure detector), and the serialization lock-down
/// (every pipeline message bound to <see cref="RemoteMessageSerializer"/>, the JSON fallback replaced by
/// <see cref="RefusingJsonSerializer"/>). Every node of a cluster must use the same frame size.
/// </summary>
public static class ClusterConfig
{
    /// <summary>Adds this node's remoting, clustering and serialization to an Akka host.</summary>
    public static AkkaConfigurationBuilder WithClusterNode(this AkkaConfigurationBuilder builder, ClusterSettings s) =>
        builder
            .WithTransport(s, s.Port)
            .WithClustering(new ClusterOptions
            {
                Roles = s.EffectiveRoles.ToArray(),
                SeedNodes = s.SeedNodes.ToArray(),
                SplitBrainResolver = new KeepMajorityOption { Role = s.MajorityRole },
                FailureDetector = new PhiAccrualFailureDetectorOptions { AcceptableHeartbeatPause = s.AcceptableHeartbeatPause },
            })
            // What the typed options do not cover.
            .AddHocon(ConfigurationFactory.ParseString($$"""
                akka.cluster {
                  split-brain-resolver.stable-after = {{(long)s.StableAfter.TotalMilliseconds}}ms
                  singleton-proxy.log-singleton-identification-failure = false
                }
                """), HoconAddMode.Prepend);

    /// <summary>
    /// A process that talks to the cluster without joining it (`hpt status --cluster`): the nodes' transport (the same
    /// TLS certificate, frame size and serializers, so it is admitted exactly as a node is), on any free port, with
    /// remoting only: it never becomes a member, so it gets no work, is no routee and takes no part in downing.
    /// </summary>
    public static AkkaConfigurationBuilder WithClusterClient(this AkkaConfigurationBuilder builder, ClusterSettings s) =>
        builder.WithTransport(s, port: 0);

    private static AkkaConfigurationBuilder WithTransport(this AkkaConfigurationBuilder builder, ClusterSettings s, int port)
    {
        // Socket buffers hold at least one full frame.
        var buffer = Math.Max(s.MaximumFrameSize + 1024 * 1024, 256_000);
        return builder
            .AddHocon(Serialization(), HoconAddMode.Prepend)
            .WithRemoting(new RemoteOptions
            {
                HostName = s.Hostname,
                Port = port,
                EnableSsl = s.Tls is not null, // the certificate comes as a setup (ClusterTls)
                MaxFrameSize = s.MaximumFrameSize,
                SendBufferSize = buffer,
                ReceiveBufferSize = buffer,
            });
    }

    /// <summary>The same settings as HOCON, for an ActorSystem made without a host (tests).</summary>
    public static Config Build(ClusterSettings settings) =>
        // The host sets the provider when it creates the system (WithClustering selects it), not in the HOCON.
        ConfigurationFactory.ParseString("akka.actor.provider = cluster").WithFallback(
            new AkkaConfigurationBuilder(new ServiceCollection(), ClusterSettings.SystemName).WithClusterNode(settings)
                .Configuration.GetOrElse(Config.Empty));

    /// <summary>The serializer bindings alone (also used by the serializer's own tests on a local system).</summary>
    public static Config Serialization()
    {
        var bindings = string.Join("\n", RemoteMessageSerializer.Manifests.Keys.Select(t => $"    \"{Name(t)}\" = hpt-remote"));
        return ConfigurationFactory.ParseString($$"""
            akka.actor {
              serializers {
                hpt-remote = "{{Name(typeof(RemoteMessageSerializer))}}"
                json = "{{Name(typeof(RefusingJsonSerializer))}}"
              }
              serialization-bindings {
            {{bindings}}
              }
              serialization-identifiers {
                "{{Name(typeof(RemoteMessageSerializer))}}" = {{RemoteMessageSerializer.Id}}
              }
              serialization-settings.allow-unregistered-types = false
            }
            """);
    }

    private static string Name(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
