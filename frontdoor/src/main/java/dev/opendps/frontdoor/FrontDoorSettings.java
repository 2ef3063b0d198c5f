package dev.opendps.frontdoor;

import dev.opendps.config.AppSettings;
import java.time.Duration;

/** The front door's settings, read once at start. */
public record FrontDoorSettings(String bindAddress, int mqttPort, int amqpPort, int webSocketPort, int maxConnections,
                                Duration idleTimeout, Duration handshakeTimeout, int maxMessageBytes) {

    public FrontDoorSettings {
        checkPort(FrontDoorSetting.MQTT_PORT, mqttPort);
        checkPort(FrontDoorSetting.AMQP_PORT, amqpPort);
        checkPort(FrontDoorSetting.WEBSOCKET_PORT, webSocketPort);
        positive(FrontDoorSetting.MAX_CONNECTIONS, maxConnections);
        positive(FrontDoorSetting.IDLE_TIMEOUT_SECONDS, idleTimeout.toSeconds());
        positive(FrontDoorSetting.HANDSHAKE_TIMEOUT_SECONDS, handshakeTimeout.toSeconds());
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException(FrontDoorSetting.MAX_MESSAGE_BYTES.key() + " must be at least 1024");
        }
    }

    public static FrontDoorSettings from(AppSettings settings) {
        return new FrontDoorSettings(text(settings, FrontDoorSetting.BIND_ADDRESS),
                number(settings, FrontDoorSetting.MQTT_PORT), number(settings, FrontDoorSetting.AMQP_PORT),
                number(settings, FrontDoorSetting.WEBSOCKET_PORT), number(settings, FrontDoorSetting.MAX_CONNECTIONS),
                Duration.ofSeconds(number(settings, FrontDoorSetting.IDLE_TIMEOUT_SECONDS)),
                Duration.ofSeconds(number(settings, FrontDoorSetting.HANDSHAKE_TIMEOUT_SECONDS)),
                number(settings, FrontDoorSetting.MAX_MESSAGE_BYTES));
    }

    /** The same settings with other ports (tests and the local host pick their own). */
    public FrontDoorSettings withPorts(int mqtt, int amqp, int webSocket) {
        return new FrontDoorSettings(bindAddress, mqtt, amqp, webSocket, maxConnections, idleTimeout, handshakeTimeout,
                maxMessageBytes);
    }

    static String text(AppSettings settings, FrontDoorSetting setting) {
        return settings.find(setting.key()).orElse(setting.defaultValue());
    }

    private static int number(AppSettings settings, FrontDoorSetting setting) {
        String value = text(settings, setting);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Setting " + setting.key() + " must be a whole number, was '" + value + "'");
        }
    }

    private static void checkPort(FrontDoorSetting setting, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(setting.key() + " must be a port (0 to turn it off), was " + port);
        }
    }

    private static void positive(FrontDoorSetting setting, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(setting.key() + " must be positive, was " + value);
        }
    }
}
