using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using Hpt.Actors.Settings;

namespace Hpt.Actors.Cluster;

/// <summary>
/// Mutual TLS for the cluster transport: Akka.Remote's <see cref="DotNettySslSetup"/> with mutual authentication, and
/// Akka's <see cref="CertificateValidation.PinnedCertificate"/> as the peer check, so a node accepts a connection only
/// from a holder of a pinned certificate and its key (in both directions). Before the handshake completes nothing
/// reaches Akka's frame decoder, so an unauthenticated peer can make a node buffer no more than a TLS record.
/// </summary>
public static class ClusterTls
{
    /// <summary>The ActorSystem setup of a node: its configuration, plus the TLS setup when hpt.cluster.tls is set.</summary>
    public static ActorSystemSetup Setup(ClusterSettings settings, Config config)
    {
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config));
        return SslSetup(settings) is { } ssl ? setup.And(ssl) : setup;
    }

    /// <summary>The transport's TLS setup (mutual authentication, pinned certificates); null without hpt.cluster.tls.</summary>
    public static DotNettySslSetup? SslSetup(ClusterSettings settings)
    {
        if (settings.Tls is not { } tls) return null;
        var certificate = LoadCertificate(tls);
        var pinned = tls.TrustedThumbprints.Count > 0 ? tls.TrustedThumbprints.ToArray() : [certificate.Thumbprint];
        return new DotNettySslSetup(certificate, suppressValidation: false, requireMutualAuthentication: true,
            validateCertificateHostname: false, CertificateValidation.PinnedCertificate(pinned));
    }

    /// <summary>The certificate with its private key, from PEM files or environment variables.</summary>
    public static X509Certificate2 LoadCertificate(ClusterTlsSettings tls)
    {
        var certificatePem = ReadPem(tls.Certificate, "hpt.cluster.tls.certificate");
        var keyPem = ReadPem(tls.Key, "hpt.cluster.tls.key");
        X509Certificate2 certificate;
        try
        {
            using var ephemeral = X509Certificate2.CreateFromPem(certificatePem, keyPem);
            // A PEM key is ephemeral; TLS servers need it in a key container, which a PKCS#12 round trip provides.
            certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new SettingsException("hpt.cluster.tls.certificate", $"cannot load the certificate and key: {e.Message}");
        }
        if (!certificate.HasPrivateKey) throw new SettingsException("hpt.cluster.tls.key", "does not hold the certificate's private key");
        if (certificate.NotAfter < DateTime.Now)
            throw new SettingsException("hpt.cluster.tls.certificate", $"expired on {certificate.NotAfter:yyyy-MM-dd}");
        return certificate;
    }

    private static string ReadPem(string source, string key)
    {
        if (source.StartsWith("env:", StringComparison.Ordinal))
        {
            var name = source[4..];
            return Environment.GetEnvironmentVariable(name) is { Length: > 0 } text
                ? text
                : throw new SettingsException(key, $"environment variable {name} is not set");
        }
        if (!File.Exists(source)) throw new SettingsException(key, $"file not found: {source}");
        return File.ReadAllText(source);
    }
}
