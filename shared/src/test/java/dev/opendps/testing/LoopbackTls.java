package dev.opendps.testing;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * TLS for a test server on {@code 127.0.0.1}: a fresh self-signed certificate with that address as its subject
 * alternative name, the server's context presenting it, and a client context that trusts it (and nothing else).
 */
public record LoopbackTls(X509Certificate certificate, SSLContext server, SSLContext client) {

    public static LoopbackTls create() {
        try {
            TestPki.Credential credential = TestPki.device("127.0.0.1")
                    .extendedKeyUsage(TestPki.ExtendedKeyUsage.SERVER_AUTH)
                    .extension("2.5.29.17", false,
                            new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")).getEncoded())
                    .issue();
            char[] password = "test-server".toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", credential.privateKey(), password,
                    new Certificate[] {credential.certificate()});
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, password);
            SSLContext server = SSLContext.getInstance("TLS");
            server.init(keyManagers.getKeyManagers(), null, null);

            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("server", credential.certificate());
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trusted);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, trustManagers.getTrustManagers(), null);
            return new LoopbackTls(credential.certificate(), server, client);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("Could not make a TLS certificate for 127.0.0.1", e);
        }
    }
}
