package dev.opendps.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the front door does when a listener cannot start. */
class FrontDoorListenersTest {
    @TempDir
    Path dataDir;

    @Test
    void aPortInUseNamesTheListenerAndItsAddressAndLeavesNoListenerBehind() throws Exception {
        int mqtt = FrontDoorFixture.freePort();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> new FrontDoorFixture(dataDir,
                    FrontDoorFixture.settings(mqtt, 0, taken.getLocalPort()), Protocols::standard))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("websocket listener cannot bind 127.0.0.1:" + taken.getLocalPort());
        }
        // The MQTT listener, bound before the WebSocket one failed, was closed again.
        try (ServerSocket again = new ServerSocket(mqtt, 1, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).isEqualTo(mqtt);
        }
    }

    @Test
    void closingTwiceIsHarmless() throws Exception {
        FrontDoorFixture fixture = new FrontDoorFixture(dataDir,
                FrontDoorFixture.settings(FrontDoorFixture.freePort(), 0, 0), Protocols::standard);
        fixture.frontDoor.close();
        fixture.frontDoor.close(); // a stack torn down by a subclass's and a superclass's @AfterAll closes it twice
        fixture.close();
    }
}
