package dev.opendps.benchmark.load;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * Trusts server chains that lead to one CA (the local host's). A leaf verified once is remembered by its
 * bytes, so the client's per-handshake work stays small and the server, not the client, is what is measured;
 * the server still performs a full handshake for every connection. Host names are not checked.
 */
final class LocalCaTrustManager extends X509ExtendedTrustManager {

    private final X509Certificate ca;
    private volatile byte[] verifiedLeaf;

    LocalCaTrustManager(X509Certificate ca) {
        this.ca = ca;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("The server sent no certificate");
        }
        byte[] leaf = chain[0].getEncoded();
        if (Arrays.equals(leaf, verifiedLeaf)) {
            return;
        }
        verify(chain);
        verifiedLeaf = leaf;
    }

    private void verify(X509Certificate[] chain) throws CertificateException {
        try {
            for (int i = 0; i < chain.length; i++) {
                X509Certificate certificate = chain[i];
                certificate.checkValidity();
                if (certificate.equals(ca)) {
                    return;
                }
                if (isSignedBy(certificate, ca)) {
                    return;
                }
                if (i + 1 < chain.length) {
                    certificate.verify(chain[i + 1].getPublicKey());
                }
            }
        } catch (GeneralSecurityException e) {
            throw new CertificateException("The server's certificate chain does not verify: " + e.getMessage(), e);
        }
        throw new CertificateException("The server's certificate is not issued by the trusted CA "
                + ca.getSubjectX500Principal());
    }

    private static boolean isSignedBy(X509Certificate certificate, X509Certificate issuer) {
        if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("Client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("Client side only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("Client side only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[] {ca};
    }
}
