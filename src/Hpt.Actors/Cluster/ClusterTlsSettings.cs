namespace Hpt.Actors.Cluster;

/// <summary>
/// `hpt.cluster.tls`: this node's certificate and key (PEM files, or <c>env:NAME</c> for PEM text in an environment
/// variable) and the certificates a peer may present, pinned by SHA-1 thumbprint (empty: this node's own, i.e. one
/// cluster certificate shared by every node).
/// </summary>
public sealed record ClusterTlsSettings(string Certificate, string Key, IReadOnlyList<string> TrustedThumbprints);
