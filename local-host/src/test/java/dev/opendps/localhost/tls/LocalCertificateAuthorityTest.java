package dev.opendps.localhost.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LocalCertificateAuthorityTest {

    @TempDir
    Path data;

    @Test
    void createsCaAndServerCertificateForLocalNames() throws Exception {
        LocalCertificates created = new LocalCertificateAuthority(data).ensure(List.of());
        X509Certificate ca = created.caCertificate();
        X509Certificate server = created.serverCertificate();
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(ca.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(server.getBasicConstraints()).isEqualTo(-1);
        assertThat(server.getPublicKey().getAlgorithm()).isEqualTo("EC");
        server.verify(ca.getPublicKey());
        assertThat(names(server)).contains("localhost", "127.0.0.1");
        assertThat(server.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
        assertThat(permissions(data.resolve("tls/ca-key.pem"))).isEqualTo("rw-------");
        assertThat(permissions(data.resolve("tls/server-key.pem"))).isEqualTo("rw-------");
        assertThat(permissions(data.resolve("tls/ca.pem"))).startsWith("rw-r");
        assertThat(PemFiles.readCertificates(created.caCertificateFile())).containsExactly(ca);
        assertThat(PemFiles.readCertificates(created.serverCertificateFile())).containsExactly(server, ca);
    }

    @Test
    void reusesEverythingOnLaterStarts() throws Exception {
        LocalCertificates first = new LocalCertificateAuthority(data).ensure(List.of("dps.test"));
        LocalCertificates second = new LocalCertificateAuthority(data).ensure(List.of("dps.test"));
        assertThat(second.caCertificate()).isEqualTo(first.caCertificate());
        assertThat(second.serverCertificate()).isEqualTo(first.serverCertificate());
        assertThat(second.serverKey().getEncoded()).isEqualTo(first.serverKey().getEncoded());
    }

    @Test
    void reissuesOnlyTheServerCertificateForANewNameOrWhenMissing() throws Exception {
        LocalCertificates first = new LocalCertificateAuthority(data).ensure(List.of());
        LocalCertificates withName = new LocalCertificateAuthority(data).ensure(List.of("dps.test", "10.1.2.3"));
        assertThat(withName.caCertificate()).isEqualTo(first.caCertificate());
        assertThat(withName.serverCertificate()).isNotEqualTo(first.serverCertificate());
        assertThat(names(withName.serverCertificate())).contains("dps.test", "10.1.2.3", "localhost");

        Files.delete(data.resolve("tls/server.pem"));
        LocalCertificates recreated = new LocalCertificateAuthority(data).ensure(List.of());
        assertThat(recreated.caCertificate()).isEqualTo(first.caCertificate());
        recreated.serverCertificate().verify(first.caCertificate().getPublicKey());
    }

    @Test
    void replacesAnUnreadableCa() throws Exception {
        LocalCertificates first = new LocalCertificateAuthority(data).ensure(List.of());
        Files.writeString(data.resolve("tls/ca.pem"), "garbage");
        LocalCertificates second = new LocalCertificateAuthority(data).ensure(List.of());
        assertThat(second.caCertificate()).isNotEqualTo(first.caCertificate());
        second.serverCertificate().verify(second.caCertificate().getPublicKey());
    }

    private static List<String> names(X509Certificate certificate) throws Exception {
        return certificate.getSubjectAlternativeNames().stream().map(entry -> entry.get(1).toString()).toList();
    }

    private static String permissions(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
