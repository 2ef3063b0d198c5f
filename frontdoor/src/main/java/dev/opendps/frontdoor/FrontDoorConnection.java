package dev.opendps.frontdoor;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLPeerUnverifiedException;

/** What the front door knows about one device connection, for its protocol handlers. */
public final class FrontDoorConnection {
    static final AttributeKey<FrontDoorConnection> KEY = AttributeKey.valueOf("opendps.frontdoor.connection");

    private final Channel channel;
    private volatile String transport;
    private final AtomicBoolean opened = new AtomicBoolean();
    private volatile List<X509Certificate> clientChain;

    FrontDoorConnection(Channel channel, String transport) {
        this.channel = channel;
        this.transport = transport;
    }

    /** The connection of {@code channel}, or null if the front door did not accept it. */
    public static FrontDoorConnection of(Channel channel) {
        return channel.attr(KEY).get();
    }

    public Channel channel() {
        return channel;
    }

    /** How the device came in: {@code mqtt}, {@code mqtt-ws}, {@code amqp}, {@code amqp-ws}. */
    public String transport() {
        return transport;
    }

    /** A WebSocket connection learns its protocol from the subprotocol the client chose. */
    void transport(String name) {
        this.transport = name;
    }

    /** Marks the protocol session open (e.g. CONNECT accepted): the handshake deadline no longer applies. */
    public void opened() {
        opened.set(true);
    }

    /**
     * Replaces the connection's idle timeout (no bytes read for that long closes it) once the protocol has
     * negotiated its own, e.g. MQTT's 1.5 × keep-alive; the protocol keeps it within the front door's setting.
     * Call on the connection's event loop.
     */
    public void idleTimeout(Duration timeout) {
        channel.pipeline().replace(FrontDoor.IDLE_HANDLER, FrontDoor.IDLE_HANDLER,
                new IdleStateHandler(timeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
    }

    boolean isOpened() {
        return opened.get();
    }

    /**
     * The certificate chain the client presented in the TLS handshake, leaf first; empty without one. The TLS layer
     * accepts any chain (as App Service does with client certificates optional): attestation validates it.
     */
    public List<X509Certificate> clientCertificates() {
        List<X509Certificate> chain = clientChain;
        if (chain == null) {
            chain = readClientChain();
            clientChain = chain;
        }
        return chain;
    }

    private List<X509Certificate> readClientChain() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return List.of();
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate certificate : ssl.engine().getSession().getPeerCertificates()) {
                if (certificate instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
            return List.copyOf(chain);
        } catch (SSLPeerUnverifiedException noCertificate) {
            return List.of();
        }
    }

    /** The credentials of this connection with {@code sasToken} (null for certificate-only devices). */
    public DeviceGateway.Credentials credentials(String sasToken) {
        return DeviceGateway.Credentials.of(sasToken, clientCertificates());
    }

    /** Text a client chose (ids, names) made safe for one log line: bounded, printable ASCII only. */
    public static String printable(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        String bounded = value.length() > 128 ? value.substring(0, 128) : value;
        return bounded.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
