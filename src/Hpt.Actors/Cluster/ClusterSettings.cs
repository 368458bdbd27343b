using Hpt.Actors.Settings;

namespace Hpt.Actors.Cluster;

/// <summary>
/// `hpt.cluster`: which roles this node plays, how it finds the cluster, and where weight files live. Every default is
/// in hocon/cluster.conf: each member is required, so no value is taken from code.
/// </summary>
public sealed record ClusterSettings
{
    public const string Learner = "learner";
    public const string Rollout = "rollout";
    public const string Verifier = "verifier";

    /// <summary>Every node of one training cluster uses this ActorSystem name (seed addresses contain it).</summary>
    public const string SystemName = "hpt";

    public required IReadOnlyList<string> Roles { get; init; }
    public required IReadOnlyList<string> SeedNodes { get; init; }
    public required string Hostname { get; init; }
    public required int Port { get; init; }
    /// <summary>Empty: the run directory's `weights` folder (fine when every node shares one machine or file system).</summary>
    public required string WeightsDirectory { get; init; }
    public required int KeepWeights { get; init; }
    public required bool LearnerHostsVerifiers { get; init; }
    public required TimeSpan StableAfter { get; init; }
    /// <summary>keep-majority counts only nodes with this role (empty: every node).</summary>
    public required string MajorityRole { get; init; }
    public required TimeSpan AcceptableHeartbeatPause { get; init; }
    public required long MaximumFrameSize { get; init; }

    /// <summary>Mutual TLS of the transport; null = plain TCP (loopback only unless <see cref="Insecure"/>).</summary>
    public required ClusterTlsSettings? Tls { get; init; }

    /// <summary>hpt.cluster.insecure: allow a node that reaches other machines without TLS.</summary>
    public required bool Insecure { get; init; }

    /// <summary>The address scheme of this transport: <c>akka.ssl.tcp</c> with TLS, <c>akka.tcp</c> without.</summary>
    public string Scheme => Tls is null ? "akka.tcp" : "akka.ssl.tcp";

    /// <summary>The settings hocon/ gives with nothing overridden (every role on one loopback node).</summary>
    public static ClusterSettings Default => Create(HptConfig.Reference);

    public bool Has(string role) => Roles.Contains(role, StringComparer.Ordinal);

    /// <summary>Version and settings fingerprints carried as extra roles (<see cref="NodeAdmission"/>); none in specs that build settings by hand.</summary>
    public IReadOnlyList<string> AdmissionRoles { get; init; } = [];

    /// <summary>What <see cref="AdmissionRoles"/> are made of, key by key; a refused node learns the refusing member's.</summary>
    public AdmissionSettings Admission { get; init; } = AdmissionSettings.None;

    /// <summary>The roles this node plays: a learner node that hosts the verifier pool also carries the verifier role.</summary>
    public IReadOnlyList<string> PlayedRoles =>
        Has(Learner) && LearnerHostsVerifiers && !Has(Verifier) ? [.. Roles, Verifier] : Roles;

    /// <summary>The Akka roles: the roles played, then the admission roles, which every member sees and compares.</summary>
    public IReadOnlyList<string> EffectiveRoles => [.. PlayedRoles, .. AdmissionRoles];

    public string ResolveWeightsDirectory(string runDirectory) =>
        WeightsDirectory.Length > 0 ? WeightsDirectory : Path.Combine(runDirectory, "weights");

    public static ClusterSettings Create(Akka.Configuration.Config root)
    {
        var r = new SettingsReader(root, "hpt.cluster");
        var roles = r.StringList("roles").Select(x => x.Trim().ToLowerInvariant()).Where(x => x.Length > 0).Distinct().ToArray();
        if (roles.Length == 0) throw new SettingsException(r.Key("roles"), "needs at least one role (learner, rollout, verifier)");
        foreach (var role in roles)
            if (role is not (Learner or Rollout or Verifier))
                throw new SettingsException(r.Key("roles"), $"'{role}' is not one of: learner, rollout, verifier");
        var certificate = r.String("tls.certificate");
        var key = r.String("tls.key");
        if ((certificate.Length == 0) != (key.Length == 0))
            throw new SettingsException(r.Key(certificate.Length == 0 ? "tls.certificate" : "tls.key"),
                "is empty: TLS needs both the certificate and its private key");
        // Read with or without TLS, so a bad list is an error even before the certificate is set.
        var trusted = r.StringList("tls.trusted-thumbprints").Select(t => t.Replace(":", "").Trim()).ToArray();
        var tls = certificate.Length == 0 ? null : new ClusterTlsSettings(certificate, key, trusted);
        var scheme = tls is null ? "akka.tcp" : "akka.ssl.tcp";
        var seeds = r.StringList("seed-nodes");
        foreach (var seed in seeds)
            if (!seed.StartsWith($"{scheme}://{SystemName}@", StringComparison.Ordinal))
                throw new SettingsException(r.Key("seed-nodes"), $"'{seed}' must look like {scheme}://{SystemName}@HOST:PORT" +
                                                                  (tls is null ? "" : " (TLS is on)"));
        var admission = NodeAdmission.Settings(root, roles.Contains(Learner));
        var settings = new ClusterSettings
        {
            Roles = roles,
            SeedNodes = seeds,
            Hostname = r.String("hostname"),
            Port = r.Int("port", min: 0, max: 65535),
            WeightsDirectory = r.String("weights-dir"),
            KeepWeights = r.Int("keep-weights", min: 2),
            LearnerHostsVerifiers = r.Bool("learner-hosts-verifiers"),
            StableAfter = r.Duration("stable-after"),
            MajorityRole = r.String("majority-role").Trim(),
            AcceptableHeartbeatPause = r.Duration("acceptable-heartbeat-pause"),
            MaximumFrameSize = r.Bytes("maximum-frame-size", min: 128_000, max: int.MaxValue),
            Tls = tls,
            Insecure = r.Bool("insecure"),
            AdmissionRoles = NodeAdmission.Roles(admission),
            Admission = admission,
        };
        if (tls is null && !settings.Insecure && !settings.IsLoopbackOnly())
            throw new SettingsException(r.Key("tls.certificate"),
                "is empty, but this node binds or joins an address beyond loopback: any process that reaches the port could join the " +
                "cluster. Set hpt.cluster.tls.certificate and hpt.cluster.tls.key (see README, Cluster TLS), or hpt.cluster.insecure = on " +
                "on a network you trust");
        if (settings.Hostname.Length == 0) throw new SettingsException(r.Key("hostname"), "is empty");
        if (settings.MajorityRole is not ("" or Learner or Rollout or Verifier))
            throw new SettingsException(r.Key("majority-role"), $"'{settings.MajorityRole}' is not one of: \"\", learner, rollout, verifier");
        if (seeds.Count == 0 && !settings.Has(Learner))
            throw new SettingsException(r.Key("seed-nodes"), "a node without the learner role needs the address of a node to join");
        return settings;
    }

    /// <summary>True when this node binds loopback and every seed is on loopback: nothing beyond this machine can connect.</summary>
    public bool IsLoopbackOnly() =>
        IsLoopback(Hostname) && SeedNodes.All(seed => IsLoopback(HostOf(seed)));

    private static string HostOf(string seed)
    {
        var at = seed.IndexOf('@');
        var rest = at < 0 ? seed : seed[(at + 1)..];
        var colon = rest.LastIndexOf(':');
        return colon < 0 ? rest : rest[..colon];
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
