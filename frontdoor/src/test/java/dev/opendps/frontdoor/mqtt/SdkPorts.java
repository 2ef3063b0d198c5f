package dev.opendps.frontdoor.mqtt;

import dev.opendps.frontdoor.FrontDoorFixture;
import dev.opendps.frontdoor.Protocols;
import java.net.BindException;
import java.net.SocketException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A front door on the ports the Java device SDK dials and cannot be told otherwise (sdk-wire-notes.md): 8883 for
 * MQTT and 443 for WebSockets, on 127.0.0.1. Binding them needs root (or the capability); a developer machine
 * without it skips the tests that need them, CI ({@code CI=true}, which runs as root) fails them. Other test runs
 * may want the same ports: run these under {@code flock /tmp/opendps-ports.lock}.
 */
final class SdkPorts {
    static final int MQTT = 8883;
    static final int WEBSOCKET = 443;

    private SdkPorts() {
    }

    static FrontDoorFixture start(Path dataDir) throws Exception {
        try {
            return new FrontDoorFixture(dataDir, FrontDoorFixture.settings(MQTT, 0, WEBSOCKET), Protocols::standard);
        } catch (Exception e) {
            if (!isBindFailure(e)) {
                throw e;
            }
            String message = "Ports " + MQTT + " and " + WEBSOCKET + " on 127.0.0.1 cannot be bound here (" + e
                    + "): the Java device SDK dials only those.";
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
