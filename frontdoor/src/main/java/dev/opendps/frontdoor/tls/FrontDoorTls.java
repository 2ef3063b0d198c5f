package dev.opendps.frontdoor.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/**
 * The front door's TLS: server certificate from PEM files, TLS 1.2 and 1.3, client certificates optional and any
 * chain accepted at the TLS layer (X.509 attestation validates it, as the functions do with App Service's
 * {@code X-ARR-ClientCert}).
 */
public final class FrontDoorTls {
    private FrontDoorTls() {
    }

    public static SslContext fromPemFiles(Path certificateChain, Path privateKey) throws SSLException {
        if (!Files.isReadable(certificateChain) || !Files.isReadable(privateKey)) {
            throw new IllegalArgumentException("The front door's TLS certificate or key file is not readable: "
                    + certificateChain + ", " + privateKey);
        }
        return configure(SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile()));
    }

    public static SslContext of(PrivateKey key, X509Certificate... chain) throws SSLException {
        return configure(SslContextBuilder.forServer(key, chain));
    }

    private static SslContext configure(SslContextBuilder builder) throws SSLException {
        return builder
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols("TLSv1.3", "TLSv1.2")
                .clientAuth(ClientAuth.OPTIONAL)
                .trustManager(new AnyClientCertificateTrustManager())
                .build();
    }
}
