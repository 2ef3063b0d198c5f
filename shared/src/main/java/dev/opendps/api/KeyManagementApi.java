package dev.opendps.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Key-encryption key upkeep an administrator runs on a deployment (README, "Secrets at rest"): {@code POST
 * management/keys/rewrap} re-wraps every stored data key that is not under the KEK's current version, in the app
 * itself, so with its settings and its managed identity (which may wrap and unwrap, not rotate): rotate the key in
 * Key Vault ({@code az keyvault key rotate}), then call this. Runs beside live traffic; a store or vault that cannot
 * be reached answers 503, and calling again carries on. The answer holds counts and a version name, no secret.
 */
public final class KeyManagementApi {
    private final Supplier<JsonNode> rewrap;
    private final ApiCall call;

    /** @param rewrap runs the re-wrap pass and describes what it did */
    public KeyManagementApi(Supplier<JsonNode> rewrap, Clock clock) {
        this.rewrap = Objects.requireNonNull(rewrap, "rewrap");
        this.call = new ApiCall("ServiceOperations", clock);
    }

    /** {@code POST management/keys/rewrap}: 200 with {@code version}, {@code documents}, {@code rewritten}, …. */
    public ApiResponse rewrap(ApiRequest request) {
        return call.run("management.keys.rewrap", null, request,
                () -> ApiResponse.json(200, rewrap.get(), Map.of("Cache-Control", "no-store")));
    }
}
