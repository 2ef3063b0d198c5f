package dev.opendps.frontdoor.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.frontdoor.FrontDoorFixture;
import dev.opendps.frontdoor.FrontDoorSettings;
import dev.opendps.frontdoor.Protocols;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front door's limits as an MQTT client meets them: the connection limit across listeners, and the deadline
 * by which a new connection must have finished TLS and sent CONNECT (DPS_FRONTDOOR_MAX_CONNECTIONS,
 * DPS_FRONTDOOR_HANDSHAKE_TIMEOUT_SECONDS).
 */
class MqttConnectionLimitsTest {
    private static final int MAX_CONNECTIONS = 3;

    @TempDir
    static Path dataDir;

    static FrontDoorFixture dps;
    static SslContext trust;

    @BeforeAll
    static void start() throws Exception {
        FrontDoorSettings settings = new FrontDoorSettings("127.0.0.1", FrontDoorFixture.freePort(), 0, 0,
                MAX_CONNECTIONS, Duration.ofSeconds(300), Duration.ofSeconds(1), 65536);
        dps = new FrontDoorFixture(dataDir, settings, Protocols::standard);
        trust = SslContextBuilder.forClient().trustManager(dps.serverCa.certificate()).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    private static RawMqttClient connected(String registrationId) throws Exception {
        String key = dps.enrollSymmetricKey(registrationId);
        RawMqttClient client = RawMqttClient.tls(dps.frontDoor.port("mqtt"), trust);
        assertThat(client.connect(registrationId, dps.idScope() + "/registrations/" + registrationId
                + "/api-version=2019-03-31", dps.deviceToken(registrationId, key), true, 60))
                .isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        return client;
    }

    @Test
    void aConnectionBeyondTheLimitIsClosedAndTheLimitFreesUpAsConnectionsClose() throws Exception {
        List<RawMqttClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                open.add(connected("mqtt-limit-" + i));
            }
            try (RawMqttClient refused = RawMqttClient.tls(dps.frontDoor.port("mqtt"), trust)) {
                assertThat(refused.awaitClosed(Duration.ofSeconds(5))).isTrue();
            }

            open.remove(0).close();
            RawMqttClient again = null;
            for (long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos(); again == null
                    && System.nanoTime() < deadline; ) {
                // The server counts the closed connection out when it sees it close.
                RawMqttClient attempt = RawMqttClient.tls(dps.frontDoor.port("mqtt"), trust);
                if (attempt.awaitClosed(Duration.ofMillis(200))) {
                    attempt.close();
                } else {
                    again = attempt;
                }
            }
            assertThat(again).as("a connection once one closed").isNotNull();
            open.add(again);
        } finally {
            open.forEach(RawMqttClient::close);
        }
    }

    @Test
    void aConnectionThatNeverSendsAByteIsClosedAfterTheHandshakeTimeout() throws Exception {
        awaitFreeSlots();
        try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), dps.frontDoor.port("mqtt"))) {
            silent.setSoTimeout(10_000);
            long started = System.nanoTime();
            InputStream in = silent.getInputStream();

            while (in.read() >= 0) {
                // whatever the server sends before it closes (a TLS alert at most)
            }

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(800),
                    Duration.ofSeconds(5));
        }
    }

    @Test
    void aTlsConnectionThatSendsNoConnectIsClosedAfterTheHandshakeTimeout() throws Exception {
        awaitFreeSlots();
        try (RawMqttClient idle = RawMqttClient.tls(dps.frontDoor.port("mqtt"), trust)) {
            assertThat(idle.awaitClosed(Duration.ofSeconds(5))).isTrue();
        }
    }

    /** Other tests' connections count until the server has seen them close. */
    private static void awaitFreeSlots() throws Exception {
        for (int i = 0; i < 50; i++) {
            try (RawMqttClient probe = RawMqttClient.tls(dps.frontDoor.port("mqtt"), trust)) {
                if (!probe.awaitClosed(Duration.ofMillis(100))) {
                    return;
                }
            }
        }
    }
}
