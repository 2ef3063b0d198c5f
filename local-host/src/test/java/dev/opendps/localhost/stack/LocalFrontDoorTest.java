package dev.opendps.localhost.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.frontdoor.FrontDoorSettings;
import dev.opendps.localhost.AppSettings;
import dev.opendps.localhost.HostSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The front door as the local stack configures and starts it. */
@ExtendWith(SettingPropertiesRestored.class)
class LocalFrontDoorTest {
    @TempDir
    Path dir;

    @Test
    void locallyTheListenersBindTheHostsAddressAndWebSocketsAPortAUserMayBind() {
        HostSettings host = HostSettings.builder(dir).bindAddress("127.0.0.2").build();

        FrontDoorSettings settings = LocalFrontDoor.settings(AppSettings.of(Map.of("DPS_MQTT_PORT", " ")), host);

        assertThat(settings.bindAddress()).isEqualTo("127.0.0.2");
        assertThat(settings.mqttPort()).isEqualTo(8883);
        assertThat(settings.amqpPort()).isEqualTo(5671);
        assertThat(settings.webSocketPort()).isEqualTo(8444);
    }

    @Test
    void theFrontDoorsOwnSettingsWin() {
        HostSettings host = HostSettings.builder(dir).build();

        FrontDoorSettings settings = LocalFrontDoor.settings(AppSettings.of(Map.of(
                "DPS_FRONTDOOR_BIND_ADDRESS", "0.0.0.0", "DPS_WEBSOCKET_PORT", "443", "DPS_MQTT_PORT", "0",
                "DPS_FRONTDOOR_MAX_CONNECTIONS", "7")), host);

        assertThat(settings.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(settings.webSocketPort()).isEqualTo(443);
        assertThat(settings.mqttPort()).isZero();
        assertThat(settings.maxConnections()).isEqualTo(7);
    }

    @Test
    void aPortInUseStopsTheStartWithTheListenerAndTheSettingToChange() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Map<String, String> settings = new HashMap<>();
            settings.put("DPS_LOCAL_PORT", "0");
            settings.put("DPS_LOCAL_DATA_DIR", dir.resolve("data").toString());
            settings.put("DPS_MQTT_PORT", String.valueOf(taken.getLocalPort()));
            settings.put("DPS_AMQP_PORT", "0");
            settings.put("DPS_WEBSOCKET_PORT", "0");

            assertThatThrownBy(() -> LocalStack.start(AppSettings.of(settings), dir))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("mqtt listener cannot bind 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("DPS_MQTT_PORT");
        }
    }
}
