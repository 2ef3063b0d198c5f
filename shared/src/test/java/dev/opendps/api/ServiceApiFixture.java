package dev.opendps.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.app.ProvisioningApplication;
import dev.opendps.app.Stores;
import dev.opendps.config.AppSettings;
import dev.opendps.config.Setting;
import dev.opendps.domain.AccessRight;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.wire.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A service API over a real embedded store in a temporary folder, and signed requests to it. */
final class ServiceApiFixture implements AutoCloseable {
    static final String HOST = "dps-test.example.net";

    final ProvisioningApplication application;
    final ServiceApi api;
    final ProvisioningInstance instance;
    final SharedAccessPolicy readOnly;

    ServiceApiFixture(Path dataDir) {
        this(dataDir, Map.of());
    }

    /** With more app settings than the data folder. */
    ServiceApiFixture(Path dataDir, Map<String, String> settings) {
        this(dataDir, settings, Clock.systemUTC());
    }

    /** With more app settings, and a clock a test may move (e.g. past the instance cache). */
    ServiceApiFixture(Path dataDir, Map<String, String> settings, Clock clock) {
        this(dataDir, settings, clock, stores -> stores, List.of());
    }

    /**
     * With the stores {@code adapt} makes of the embedded ones (e.g. another hub registry) and the instance
     * linked to {@code linkedHubs} (none: two embedded local hubs).
     */
    ServiceApiFixture(Path dataDir, java.util.function.UnaryOperator<Stores> adapt, List<LinkedHub> linkedHubs) {
        this(dataDir, Map.of(), Clock.systemUTC(), adapt, linkedHubs);
    }

    ServiceApiFixture(Path dataDir, Map<String, String> extraSettings, Clock clock,
                      java.util.function.UnaryOperator<Stores> adapt, List<LinkedHub> linkedHubs) {
        this(dataDir, extraSettings, clock, adapt, linkedHubs, settings -> null);
    }

    /**
     * With the key-encryption key {@code kek} makes of the settings (null: the one the settings choose), e.g. a
     * Key Vault key reached through a test server's HTTP client.
     */
    ServiceApiFixture(Path dataDir, Map<String, String> extraSettings, Clock clock,
                      java.util.function.UnaryOperator<Stores> adapt, List<LinkedHub> linkedHubs,
                      java.util.function.Function<AppSettings, KeyEncryptionKey> kek) {
        AppSettings settings = settings(dataDir, extraSettings);
        application = ProvisioningApplication.create(settings,
                adapt.apply(ProvisioningApplication.openStores(settings, kek.apply(settings))), clock);
        api = application.serviceApi();
        ProvisioningInstance created = application.instanceBootstrap().ensure(HOST, null);
        readOnly = new SharedAccessPolicy("reader", SymmetricKeys.generate(), SymmetricKeys.generate(),
                EnumSet.of(AccessRight.EnrollmentRead, AccessRight.RegistrationStatusRead));
        List<SharedAccessPolicy> policies = new java.util.ArrayList<>(created.policies());
        policies.add(readOnly);
        ProvisioningInstance withPolicies = application.stores().instances().replace(created.withPolicies(policies),
                created.etag());
        instance = application.instanceBootstrap().configureHubs(withPolicies, linkedHubs,
                dev.opendps.domain.AllocationPolicy.HASHED, 2);
    }

    /** The app settings of a fixture on {@code dataDir} with {@code extraSettings}. */
    static AppSettings settings(Path dataDir, Map<String, String> extraSettings) {
        Map<String, String> all = new LinkedHashMap<>(extraSettings);
        all.put(Setting.DATA_DIR.key(), dataDir.toString());
        return AppSettings.of(all);
    }

    SharedAccessPolicy owner() {
        return instance.policy(SharedAccessPolicy.OWNER).orElseThrow();
    }

    static String token(SharedAccessPolicy policy, Instant expiry) {
        return SharedAccessSignature.sign(HOST, SharedAccessSignature.decodeKey(policy.primaryKey()), expiry,
                policy.keyName());
    }

    Request as(SharedAccessPolicy policy) {
        return new Request(token(policy, Instant.now().plus(Duration.ofHours(1))));
    }

    Request owner(String method) {
        return as(owner()).method(method);
    }

    /** A request under construction. */
    static final class Request {
        final Map<String, String> headers = new LinkedHashMap<>();
        String method = "GET";
        byte[] body = new byte[0];

        Request(String authorization) {
            headers.put("Host", HOST);
            if (authorization != null) {
                headers.put("Authorization", authorization);
            }
        }

        Request method(String value) {
            method = value;
            return this;
        }

        Request header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Request json(String text) {
            headers.put("Content-Type", "application/json; charset=utf-8");
            body = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        Request json(JsonNode node) {
            return json(Json.string(node));
        }

        ApiRequest build() {
            return new ApiRequest(method, headers, Map.of("api-version", "2021-10-01"), body);
        }
    }

    static JsonNode body(ApiResponse response) {
        return Json.parse(response.body());
    }

    @Override
    public void close() throws Exception {
        application.close();
    }
}
