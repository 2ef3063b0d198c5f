package dev.opendps.frontdoor;

import java.net.BindException;
import java.net.SocketException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A front door on the ports the Java device SDK dials and cannot be told otherwise (sdk-wire-notes.md,
 * {@code MqttConnection}, {@code AmqpsConnection}): 8883 for MQTT, 5671 for AMQPS and 443 for either over
 * WebSockets, on 127.0.0.1. Binding them needs root (or the capability) and the ports free: a developer machine
 * without that skips the tests that need them, CI ({@code CI=true}, which runs as root) fails them. Other test runs
 * may want the same ports: run these under {@code flock /tmp/opendps-ports.lock} (README, Tests).
 */
public final class SdkPorts {
    public static final int MQTT = 8883;
    public static final int AMQPS = 5671;
    public static final int WEBSOCKET = 443;

    private SdkPorts() {
    }

    /** A front door with these listeners ({@code 0}: off), or the test skipped (failed on CI) if they cannot be bound. */
    public static FrontDoorFixture start(Path dataDir, int mqtt, int amqp, int webSocket) throws Exception {
        try {
            return new FrontDoorFixture(dataDir, FrontDoorFixture.settings(mqtt, amqp, webSocket), Protocols::standard);
        } catch (Exception e) {
            if (!isBindFailure(e)) {
                throw e;
            }
            String message = "Ports " + mqtt + "/" + amqp + "/" + webSocket + " (MQTT/AMQP/WebSocket, 0 = off) on"
                    + " 127.0.0.1 cannot be bound here (" + e + "): the Java device SDK dials only those.";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message + " CI runs as root, so this is a failure there.");
            }
            Assumptions.abort(message);
            throw e;
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException || (cause instanceof SocketException
                    && String.valueOf(cause.getMessage()).contains("Permission denied"))) {
                return true;
            }
        }
        return false;
    }
}
