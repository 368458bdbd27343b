using System.Globalization;
using Akka.Configuration;
using Hpt.Actors.Serialization;

namespace Hpt.Actors.Cluster;

/// <summary>
/// The Akka HOCON of a cluster node: remoting, membership, split-brain resolver, failure detector, frame size, and
/// the serialization lock-down (every pipeline message bound to <see cref="RemoteMessageSerializer"/>, the JSON
/// fallback replaced by <see cref="RefusingJsonSerializer"/>). Every node of a cluster must use the same frame size.
/// </summary>
public static class ClusterConfig
{
    public static Config Build(ClusterSettings settings) =>
        ConfigurationFactory.ParseString(Text(settings)).WithFallback(Serialization());

    /// <summary>The serializer bindings alone (also used by the serializer's own tests on a local system).</summary>
    public static Config Serialization()
    {
        var bindings = string.Join("\n", RemoteMessageSerializer.Manifests.Keys
            .Select(t => $"    \"{t.FullName}, {t.Assembly.GetName().Name}\" = hpt-remote"));
        return ConfigurationFactory.ParseString($$"""
            akka.actor {
              serializers {
                hpt-remote = "{{typeof(RemoteMessageSerializer).FullName}}, {{typeof(RemoteMessageSerializer).Assembly.GetName().Name}}"
                json = "{{typeof(RefusingJsonSerializer).FullName}}, {{typeof(RefusingJsonSerializer).Assembly.GetName().Name}}"
              }
              serialization-bindings {
            {{bindings}}
              }
              serialization-identifiers {
                "{{typeof(RemoteMessageSerializer).FullName}}, {{typeof(RemoteMessageSerializer).Assembly.GetName().Name}}" = {{RemoteMessageSerializer.Id}}
              }
              serialization-settings.allow-unregistered-types = false
            }
            """);
    }

    private static string Text(ClusterSettings s)
    {
        var roles = string.Join(", ", s.EffectiveRoles.Select(Quote));
        var seeds = string.Join(", ", s.SeedNodes.Select(Quote));
        var frame = s.MaximumFrameSize.ToString(CultureInfo.InvariantCulture) + "b";
        // Socket buffers hold at least one full frame.
        var buffer = Math.Max(s.MaximumFrameSize + 1024 * 1024, 256_000).ToString(CultureInfo.InvariantCulture) + "b";
        return $$"""
            akka {
              actor.provider = cluster
              remote.dot-netty.tcp {
                hostname = {{Quote(s.Hostname)}}
                port = {{s.Port}}
                enable-ssl = {{(s.Tls is null ? "off" : "on")}}
                maximum-frame-size = {{frame}}
                send-buffer-size = {{buffer}}
                receive-buffer-size = {{buffer}}
              }
              cluster {
                roles = [{{roles}}]
                seed-nodes = [{{seeds}}]
                downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                split-brain-resolver {
                  active-strategy = keep-majority
                  keep-majority.role = {{Quote(s.MajorityRole)}}
                  stable-after = {{Ms(s.StableAfter)}}
                }
                failure-detector.acceptable-heartbeat-pause = {{Ms(s.AcceptableHeartbeatPause)}}
                singleton-proxy.log-singleton-identification-failure = false
              }
            }
            """;
    }

    private static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
