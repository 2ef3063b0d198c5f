package dev.opendps.benchmark.load;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import java.lang.reflect.Method;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The one client TLS context of a run (BoringSSL when it loads, else the JDK), trusting the local CA.
 * By default every connection makes a <b>full</b> handshake: the session cache is off and engines are created
 * without a peer host, so no session can be offered for resumption. With {@code resumption} the context
 * caches sessions per host and port and offers them, as the Java device SDK does on each new connection.
 */
public final class ClientTls {

    private final SslContext context;
    private final boolean resumption;

    private ClientTls(SslContext context, boolean resumption) {
        this.context = context;
        this.resumption = resumption;
    }

    public static ClientTls trusting(Path caPem, List<String> protocols, List<String> groups, boolean resumption)
            throws IOException, CertificateException {
        X509Certificate ca;
        try (InputStream in = Files.newInputStream(caPem)) {
            ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        SslContext context;
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                    .trustManager(new LocalCaTrustManager(ca))
                    .protocols(protocols);
            if (!groups.isEmpty() && OpenSsl.isAvailable()) {
                builder.option(OpenSslContextOption.GROUPS, groups.toArray(String[]::new));
            }
            context = builder.build();
        } catch (SSLException e) {
            throw new IOException("Could not build the client TLS context: " + e.getMessage(), e);
        }
        if (context.sessionContext() instanceof OpenSslSessionContext sessions) {
            sessions.setSessionCacheEnabled(resumption);
        }
        return new ClientTls(context, resumption);
    }

    SslHandler newHandler(ByteBufAllocator allocator, InetSocketAddress peer) {
        return resumption
                ? context.newHandler(allocator, peer.getHostString(), peer.getPort())
                : context.newHandler(allocator);
    }

    /**
     * Whether a finished handshake resumed a session: true, false, or null where that cannot be read. Netty keeps
     * {@code isSessionReused()} of its OpenSSL engine package-private, and BoringSSL's context statistics do not
     * count client-side resumptions, so it is read reflectively.
     */
    static Boolean resumed(SSLEngine engine) {
        Method method = SESSION_REUSED;
        if (method == null || !method.getDeclaringClass().isInstance(engine)) {
            return null;
        }
        try {
            return (Boolean) method.invoke(engine);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static final Method SESSION_REUSED = sessionReusedMethod();

    private static Method sessionReusedMethod() {
        try {
            // Not initialised here: its static initialiser needs the native library, loaded later by OpenSsl.
            Method method = Class.forName("io.netty.handler.ssl.ReferenceCountedOpenSslEngine", false,
                    ClientTls.class.getClassLoader()).getDeclaredMethod("isSessionReused");
            method.setAccessible(true);
            return method;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    public String providerName() {
        return OpenSsl.isAvailable() ? "netty-tcnative " + OpenSsl.versionString() : "JDK";
    }
}
