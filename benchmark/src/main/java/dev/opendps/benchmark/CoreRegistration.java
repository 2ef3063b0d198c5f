package dev.opendps.benchmark;

import dev.opendps.api.ApiRequest;
import dev.opendps.api.ApiResponse;
import dev.opendps.app.ProvisioningApplication;
import dev.opendps.config.AppSettings;
import dev.opendps.config.Setting;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The registration use case on the embedded store, called as the functions call it but without HTTP or
 * TLS: the in-process figure that shows what the core costs apart from the transport.
 */
public final class CoreRegistration implements InProcessRegistration {
    private ProvisioningApplication application;

    @Override
    public void open(Path dataDirectory) {
        application = ProvisioningApplication.create(
                AppSettings.of(Map.of(Setting.DATA_DIR.key(), dataDirectory.toString())), Clock.systemUTC());
    }

    @Override
    public Response register(String idScope, String registrationId, String authorizationHeader, byte[] body) {
        ApiResponse response = application.deviceApi().register(new ApiRequest("PUT",
                Map.of("Authorization", authorizationHeader, "Content-Type", "application/json; charset=utf-8"),
                Map.of("api-version", "2019-03-31"), body), idScope, registrationId);
        return new Response(response.status(), response.body());
    }

    @Override
    public Response operationStatus(String idScope, String registrationId, String operationId,
                                    String authorizationHeader) {
        ApiResponse response = application.deviceApi().operationStatus(new ApiRequest("GET",
                Map.of("Authorization", authorizationHeader), Map.of(), new byte[0]), idScope, registrationId,
                operationId);
        return new Response(response.status(), response.body());
    }

    @Override
    public void close() throws Exception {
        if (application != null) {
            application.close();
        }
    }
}
