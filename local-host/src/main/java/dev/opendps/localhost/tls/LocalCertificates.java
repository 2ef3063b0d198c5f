package dev.opendps.localhost.tls;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** The local CA and the server certificate it signed, with where they are stored. */
public record LocalCertificates(
        Path caCertificateFile,
        X509Certificate caCertificate,
        Path serverCertificateFile,
        X509Certificate serverCertificate,
        PrivateKey serverKey) {

    @Override
    public String toString() {
        return "LocalCertificates[ca=" + caCertificateFile + ", server=" + serverCertificateFile + "]";
    }
}
