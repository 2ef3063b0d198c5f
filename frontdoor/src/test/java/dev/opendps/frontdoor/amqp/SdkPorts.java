package dev.opendps.frontdoor.amqp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The Java device SDK dials AMQPS on 5671 and AMQP over WebSockets on 443, whatever the global endpoint says
 * ({@code AmqpsConnection}), so its tests serve those ports on 127.0.0.1. Binding them needs root (or the
 * capability) and the ports free: without them the tests are skipped on a developer machine and fail on CI
 * ({@code CI=true}). Runs of these tests that may overlap serialise on a lock file (README, Tests).
 */
final class SdkPorts {
    static final int AMQPS = 5671;
    static final int WEBSOCKET = 443;

    private SdkPorts() {
    }

    static void requireBindable(int... ports) {
        for (int port : ports) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new java.net.InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
            } catch (IOException e) {
                String message = "Cannot bind 127.0.0.1:" + port + " (" + e.getMessage() + "), which the Java SDK dials"
                        + " for AMQP; run as root, or with CAP_NET_BIND_SERVICE, with the port free.";
                if ("true".equals(System.getenv("CI"))) {
                    Assertions.fail(message);
                }
                Assumptions.abort(message);
            }
        }
    }
}
