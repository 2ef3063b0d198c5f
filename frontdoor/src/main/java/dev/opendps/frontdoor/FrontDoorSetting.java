package dev.opendps.frontdoor;

/**
 * Settings of the protocol front door, besides the {@link dev.opendps.config.Setting}s of the registration core it
 * shares with the function apps. Each also appears in local.settings.sample.json and the README.
 */
public enum FrontDoorSetting {
    /** Address the listeners bind. */
    BIND_ADDRESS("DPS_FRONTDOOR_BIND_ADDRESS", "0.0.0.0"),
    /** MQTT 3.1.1 over TLS (dps-protocol.md §3.1). The Java device SDK always dials 8883. 0 turns it off. */
    MQTT_PORT("DPS_MQTT_PORT", "8883"),
    /** AMQP 1.0 over TLS (§3.2). 0 turns it off. */
    AMQP_PORT("DPS_AMQP_PORT", "5671"),
    /**
     * MQTT and AMQP over WebSockets (subprotocols {@code mqtt} and {@code AMQPWSB10}, any path). The SDKs dial
     * 443; 0 turns it off.
     */
    WEBSOCKET_PORT("DPS_WEBSOCKET_PORT", "443"),
    /** Open connections the front door accepts across all listeners; more are closed at once. */
    MAX_CONNECTIONS("DPS_FRONTDOOR_MAX_CONNECTIONS", "10000"),
    /**
     * Seconds a connection may stay silent (no bytes read) before it is closed. Keep-alives count as traffic; a
     * protocol may shorten it (MQTT: 1.5 times the client's keep-alive). The handshake has its own limit below.
     */
    IDLE_TIMEOUT_SECONDS("DPS_FRONTDOOR_IDLE_TIMEOUT_SECONDS", "300"),
    /**
     * Seconds from accept to a completed TLS handshake and protocol open (CONNECT or AMQP open). The Java SDK's TPM
     * devices need 8 to 12 s before their AMQP open: both its SASL handler and its register task poll in 4-second
     * sleeps while the TPM imports the challenge.
     */
    HANDSHAKE_TIMEOUT_SECONDS("DPS_FRONTDOOR_HANDSHAKE_TIMEOUT_SECONDS", "30"),
    /** Largest MQTT packet or AMQP frame (and WebSocket message) accepted, in bytes. */
    MAX_MESSAGE_BYTES("DPS_FRONTDOOR_MAX_MESSAGE_BYTES", "65536"),
    /** PEM file of the server certificate chain (leaf first). The local host uses its own. */
    TLS_CERTIFICATE_FILE("DPS_FRONTDOOR_TLS_CERTIFICATE_FILE", ""),
    /** PEM file of the server's private key (PKCS#8). A secret: keep it owner-only. */
    TLS_KEY_FILE("DPS_FRONTDOOR_TLS_KEY_FILE", "");

    private final String key;
    private final String defaultValue;

    FrontDoorSetting(String key, String defaultValue) {
        this.key = key;
        this.defaultValue = defaultValue;
    }

    public String key() {
        return key;
    }

    public String defaultValue() {
        return defaultValue;
    }
}
