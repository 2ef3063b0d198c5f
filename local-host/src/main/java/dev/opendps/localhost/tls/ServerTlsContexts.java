package dev.opendps.localhost.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import dev.opendps.frontdoor.tls.AnyClientCertificateTrustManager;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import java.security.SecureRandom;
import java.util.logging.Logger;

/** Builds the server's Netty TLS context: BoringSSL when it loads, else the JDK; client certificates optional. */
public final class ServerTlsContexts {

    private static final Logger LOG = Logger.getLogger(ServerTlsContexts.class.getName());
    private static final long SESSION_CACHE_SIZE = 20_000;
    private static final long SESSION_TIMEOUT_SECONDS = 3600;

    private ServerTlsContexts() {
    }

    public static SslContext create(LocalCertificates certificates) throws SSLException {
        SslProvider provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        if (provider == SslProvider.JDK) {
            LOG.warning(() -> "BoringSSL did not load (" + OpenSsl.unavailabilityCause() + "); using the slower JDK TLS");
        }
        SslContext context = SslContextBuilder
                .forServer(certificates.serverKey(), certificates.serverCertificate(), certificates.caCertificate())
                .sslProvider(provider)
                .protocols("TLSv1.3", "TLSv1.2")
                .clientAuth(ClientAuth.OPTIONAL)
                .trustManager(new AnyClientCertificateTrustManager())
                .sessionCacheSize(SESSION_CACHE_SIZE)
                .sessionTimeout(SESSION_TIMEOUT_SECONDS)
                .build();
        if (context.sessionContext() instanceof OpenSslSessionContext sessions) {
            // Netty leaves session tickets off until keys are set; resumption makes repeat handshakes cheap.
            sessions.setTicketKeys(newTicketKey());
            sessions.setSessionCacheEnabled(true);
        }
        return context;
    }

    /** Which TLS implementation {@link #create} picks here. */
    public static String providerName() {
        return OpenSsl.isAvailable() ? "netty-tcnative " + OpenSsl.versionString() : "JDK";
    }

    private static OpenSslSessionTicketKey newTicketKey() {
        SecureRandom random = new SecureRandom();
        byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
        byte[] hmacKey = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
        byte[] aesKey = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
        random.nextBytes(name);
        random.nextBytes(hmacKey);
        random.nextBytes(aesKey);
        return new OpenSslSessionTicketKey(name, hmacKey, aesKey);
    }
}
