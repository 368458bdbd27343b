using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Hpt.Actors.Cluster;

namespace Hpt.Actors.Tests.Cluster;

/// <summary>Self-signed certificates written as PEM files, as `openssl req -x509` would make them.</summary>
public static class TestCertificates
{
    public static ClusterTlsSettings Create(string directory, string name, IReadOnlyList<string>? trusted = null)
    {
        Directory.CreateDirectory(directory);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client auth
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certPath = Path.Combine(directory, $"{name}.crt");
        var keyPath = Path.Combine(directory, $"{name}.key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new ClusterTlsSettings(certPath, keyPath, trusted ?? []);
    }
}
