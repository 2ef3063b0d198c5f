package dev.opendps.localhost.stack;

import dev.opendps.app.ProvisioningApplication;
import dev.opendps.frontdoor.DeviceGateway;
import dev.opendps.frontdoor.FrontDoor;
import dev.opendps.frontdoor.FrontDoorMain;
import dev.opendps.frontdoor.FrontDoorSetting;
import dev.opendps.frontdoor.FrontDoorSettings;
import dev.opendps.frontdoor.Protocols;
import dev.opendps.localhost.AppSettings;
import dev.opendps.localhost.HostSettings;
import dev.opendps.localhost.tls.LocalCertificateAuthority;
import dev.opendps.localhost.tls.LocalCertificates;
import dev.opendps.localhost.tls.ServerTlsContexts;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The protocol front door of the local DPS (MQTT and AMQP, over TLS and WebSockets): the same server as the
 * container app on Azure, beside the function apps, with the local host's own TLS certificate and a registration
 * core built from the settings the function apps read, so devices registering over any transport meet the same
 * store, keys and hubs.
 *
 * <p>Local defaults differ from the container's in two places: the listeners bind {@code DPS_LOCAL_BIND}
 * (127.0.0.1) unless {@code DPS_FRONTDOOR_BIND_ADDRESS} is set, and WebSockets listen on
 * {@value #LOCAL_WEBSOCKET_PORT} rather than 443, which only root may bind. The SDKs' WebSocket transports dial
 * 443 whatever they are told, so they reach the local WebSocket listener only when it is set to 443 (as root) or
 * 443 is forwarded to it.
 */
final class LocalFrontDoor implements AutoCloseable {
    /** The local WebSocket port when {@code DPS_WEBSOCKET_PORT} is not set: next to the HTTPS port, 8443. */
    static final int LOCAL_WEBSOCKET_PORT = 8444;

    private final ProvisioningApplication application;
    private final DeviceGateway gateway;
    private final FrontDoor frontDoor;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private LocalFrontDoor(ProvisioningApplication application, DeviceGateway gateway, FrontDoor frontDoor) {
        this.application = application;
        this.gateway = gateway;
        this.frontDoor = frontDoor;
    }

    /**
     * Starts the listeners. Call after the function settings are published (system properties): the registration
     * core reads them as the function apps do.
     *
     * @throws IOException naming the listener and the setting to change if a port cannot be bound
     */
    static LocalFrontDoor start(AppSettings settings, HostSettings hostSettings) throws IOException {
        FrontDoorSettings frontDoorSettings = settings(settings, hostSettings);
        LocalCertificates certificates = new LocalCertificateAuthority(hostSettings.dataDirectory())
                .ensure(hostSettings.tlsHostNames());
        SslContext tls = ServerTlsContexts.create(certificates);
        ProvisioningApplication application = ProvisioningApplication.create(
                dev.opendps.config.AppSettings.fromEnvironment(), Clock.systemUTC());
        DeviceGateway gateway = FrontDoorMain.gateway(application);
        try {
            FrontDoor frontDoor = FrontDoor.start(frontDoorSettings, tls, Protocols.standard(gateway, frontDoorSettings));
            return new LocalFrontDoor(application, gateway, frontDoor);
        } catch (IllegalStateException cannotBind) {
            close(application, gateway);
            throw new IOException(cannotBind.getMessage() + ". Set " + FrontDoorSetting.MQTT_PORT.key() + ", "
                    + FrontDoorSetting.AMQP_PORT.key() + " or " + FrontDoorSetting.WEBSOCKET_PORT.key()
                    + " to a free port, or to 0 to turn that listener off.", cannotBind);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close(application, gateway);
            throw new IOException("Interrupted while starting the front door", e);
        } catch (RuntimeException e) {
            close(application, gateway);
            throw e;
        }
    }

    /** The front door's settings as the local host reads them: its own, then the local defaults, then the built-in. */
    static FrontDoorSettings settings(AppSettings settings, HostSettings hostSettings) {
        Map<String, String> values = new LinkedHashMap<>();
        for (FrontDoorSetting setting : FrontDoorSetting.values()) {
            settings.get(setting.key()).map(String::trim).filter(value -> !value.isEmpty())
                    .ifPresent(value -> values.put(setting.key(), value));
        }
        values.putIfAbsent(FrontDoorSetting.BIND_ADDRESS.key(), hostSettings.bindAddress());
        values.putIfAbsent(FrontDoorSetting.WEBSOCKET_PORT.key(), String.valueOf(LOCAL_WEBSOCKET_PORT));
        return FrontDoorSettings.from(dev.opendps.config.AppSettings.of(values));
    }

    /** The ports bound, by listener: {@code mqtt}, {@code amqp}, {@code websocket}. */
    Map<String, Integer> ports() {
        return frontDoor.ports();
    }

    /** Idempotent: a fixture may close the stack twice. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        frontDoor.close();
        close(application, gateway);
    }

    private static void close(ProvisioningApplication application, DeviceGateway gateway) {
        gateway.close();
        try {
            application.close();
        } catch (Exception e) {
            java.util.logging.Logger.getLogger(LocalFrontDoor.class.getName())
                    .warning("Closing the front door's registration core failed: " + e.getMessage());
        }
    }
}
