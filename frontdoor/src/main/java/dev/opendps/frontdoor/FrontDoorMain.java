package dev.opendps.frontdoor;

import dev.opendps.app.ProvisioningApplication;
import dev.opendps.config.AppSettings;
import dev.opendps.frontdoor.tls.FrontDoorTls;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * The front door as its own process (a container app on Azure): the registration core built from the same app
 * settings as the function apps (so both reach the same Cosmos DB, Key Vault and hubs), TLS from
 * {@code DPS_FRONTDOOR_TLS_CERTIFICATE_FILE} / {@code DPS_FRONTDOOR_TLS_KEY_FILE}, and the listeners. Stops on SIGTERM.
 */
public final class FrontDoorMain {
    private static final Logger LOG = Logger.getLogger(FrontDoorMain.class.getName());

    private FrontDoorMain() {
    }

    public static void main(String[] args) throws Exception {
        AppSettings settings = AppSettings.fromEnvironment();
        FrontDoorSettings frontDoorSettings = FrontDoorSettings.from(settings);
        String certificate = FrontDoorSettings.text(settings, FrontDoorSetting.TLS_CERTIFICATE_FILE);
        String key = FrontDoorSettings.text(settings, FrontDoorSetting.TLS_KEY_FILE);
        if (certificate.isBlank() || key.isBlank()) {
            throw new IllegalArgumentException(FrontDoorSetting.TLS_CERTIFICATE_FILE.key() + " and "
                    + FrontDoorSetting.TLS_KEY_FILE.key() + " must name the server certificate chain and key (PEM)");
        }
        SslContext tls = FrontDoorTls.fromPemFiles(Path.of(certificate), Path.of(key));
        ProvisioningApplication application = ProvisioningApplication.create(settings, Clock.systemUTC());
        DeviceGateway gateway = gateway(application);
        FrontDoor frontDoor = FrontDoor.start(frontDoorSettings, tls, Protocols.standard(gateway, frontDoorSettings));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping the front door");
            frontDoor.close();
            gateway.close();
            try {
                application.close();
            } catch (Exception e) {
                LOG.warning("Closing the application failed: " + e.getMessage());
            }
            stopped.countDown();
        }, "frontdoor-shutdown"));
        stopped.await();
    }

    /** The gateway of an application: a worker per core times 16 (calls wait on stores and hubs), a queue of 10,000. */
    public static DeviceGateway gateway(ProvisioningApplication application) {
        int threads = Math.max(8, Runtime.getRuntime().availableProcessors() * 16);
        return new DeviceGateway(application.deviceApi(), threads, 10_000, Clock.systemUTC());
    }
}
