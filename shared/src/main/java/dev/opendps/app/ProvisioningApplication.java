package dev.opendps.app;

import dev.opendps.adapters.DocumentRewrite;
import dev.opendps.adapters.cosmos.CosmosCaCertificateStore;
import dev.opendps.adapters.cosmos.CosmosDatabase;
import dev.opendps.adapters.cosmos.CosmosEnrollmentGroupStore;
import dev.opendps.adapters.cosmos.CosmosEnrollmentStore;
import dev.opendps.adapters.cosmos.CosmosHubRegistry;
import dev.opendps.adapters.cosmos.CosmosInstanceStore;
import dev.opendps.adapters.cosmos.CosmosRegistrationOperationStore;
import dev.opendps.adapters.cosmos.CosmosRegistrationStateStore;
import dev.opendps.adapters.cosmos.CosmosTpmChallengeStore;
import dev.opendps.adapters.envelope.DataKeyRewrap;
import dev.opendps.adapters.envelope.SecretEnvelope;
import dev.opendps.adapters.identity.ManagedIdentityTokenCredential;
import dev.opendps.adapters.identity.ManagedIdentityTokens;
import dev.opendps.adapters.iothub.IotHubRegistry;
import dev.opendps.adapters.keys.KeyEncryptionKeyRing;
import dev.opendps.adapters.keys.LocalKeyFile;
import dev.opendps.adapters.keyvault.KeyVaultKeyEncryptionKey;
import dev.opendps.adapters.keyvault.KeyVaultKeyId;
import dev.opendps.adapters.keyvault.KeyVaultSetupException;
import dev.opendps.adapters.metrics.PrometheusMetrics;
import dev.opendps.adapters.iothub.ManagedIdentityCredentials;
import dev.opendps.adapters.sqlite.SqliteCaCertificateStore;
import dev.opendps.adapters.sqlite.SqliteDatabase;
import dev.opendps.adapters.sqlite.SqliteEnrollmentGroupStore;
import dev.opendps.adapters.sqlite.SqliteEnrollmentStore;
import dev.opendps.adapters.sqlite.SqliteInstanceStore;
import dev.opendps.adapters.sqlite.SqliteRegistrationOperationStore;
import dev.opendps.adapters.sqlite.SqliteRegistrationStateStore;
import dev.opendps.adapters.sqlite.SqliteTpmChallengeStore;
import dev.opendps.adapters.sqlite.SqliteHubRegistry;
import dev.opendps.adapters.webhook.HttpAllocationWebhook;
import dev.opendps.api.DeviceApi;
import dev.opendps.api.DiagnosticsApi;
import dev.opendps.api.InstanceManagementApi;
import dev.opendps.api.KeyManagementApi;
import dev.opendps.api.LocalHubRegistryApi;
import dev.opendps.api.ServiceApi;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.AllocationPolicy;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.allocation.AzureRegions;
import dev.opendps.domain.allocation.GeoLocation;
import dev.opendps.domain.allocation.HubAllocation;
import dev.opendps.domain.allocation.HubLocations;
import dev.opendps.domain.port.AllocationWebhook;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.service.registration.AllocationExplainer;
import dev.opendps.service.registration.DeviceRegistrationService;
import dev.opendps.config.AppSettings;
import dev.opendps.config.Setting;
import dev.opendps.service.CaCertificateService;
import dev.opendps.service.EnrollmentService;
import dev.opendps.service.InstanceBootstrap;
import dev.opendps.service.InstanceDirectory;
import dev.opendps.service.LinkedHubSettings;
import dev.opendps.service.ServiceAuthenticator;
import dev.opendps.wire.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The composition root: builds the adapters the settings name and the use cases over them, once per
 * process. Function classes get their collaborators from here (through the apps' instance injectors).
 */
public final class ProvisioningApplication implements AutoCloseable {
    /** Embedded hubs an instance without hubs gets when none are configured and identities are kept locally. */
    public static final int LOCAL_HUBS = 2;
    private static final Logger LOG = Logger.getLogger(ProvisioningApplication.class.getName());
    /** How long the platform's identity endpoint may take to hand out a Cosmos DB token (a local call on the host). */
    static final Duration IDENTITY_ENDPOINT_TIMEOUT = Duration.ofSeconds(10);
    private static ProvisioningApplication shared;

    private final AppSettings settings;
    private final Stores stores;
    private final ServiceApi serviceApi;
    private final DeviceApi deviceApi;
    private final LocalHubRegistryApi localHubRegistryApi;
    private final InstanceBootstrap instanceBootstrap;
    private final InstanceManagementApi instanceManagementApi;
    private final KeyManagementApi keyManagementApi;
    /** Also registered globally, where the Application Insights Java agent on Azure finds them (README, Monitoring). */
    private final PrometheusMetrics metrics = new PrometheusMetrics(io.micrometer.core.instrument.Metrics.globalRegistry);
    private final DiagnosticsApi diagnosticsApi;

    private ProvisioningApplication(AppSettings settings, Stores stores, AllocationWebhook webhook,
                                    HubLocations hubLocations, Clock clock) {
        this.settings = settings;
        this.stores = stores;
        // Instances are re-read at most every second on the request path; auth failures re-read at once.
        InstanceDirectory directory = new InstanceDirectory(stores.instances(), clock, Duration.ofSeconds(1));
        Duration skew = Duration.ofSeconds(settings.getInt(Setting.SAS_CLOCK_SKEW_SECONDS));
        EnrollmentService enrollmentService = new EnrollmentService(stores.enrollments(), stores.enrollmentGroups(),
                stores.registrationStates(), clock);
        // Explanations allocate with the same webhook and hub locations as registrations, so they agree.
        AllocationExplainer explainer = new AllocationExplainer(stores.enrollments(), stores.enrollmentGroups(),
                stores.registrationStates(), webhook, hubLocations);
        this.serviceApi = new ServiceApi(new ServiceAuthenticator(directory, clock, skew), enrollmentService,
                new CaCertificateService(stores.caCertificates(), clock), explainer, clock, metrics);
        Duration maxLifetime = Duration.ofSeconds(settings.getInt(Setting.SAS_MAX_LIFETIME_SECONDS));
        this.deviceApi = new DeviceApi(new DeviceRegistrationService(directory, stores.enrollments(),
                stores.enrollmentGroups(), stores.registrationStates(), stores.registrationOperations(),
                stores.tpmChallenges(), stores.caCertificates(), stores.hubs(), new HubAllocation(webhook).withHubLocations(hubLocations), clock, skew,
                maxLifetime), clock, metrics);
        this.localHubRegistryApi = new LocalHubRegistryApi(stores.hubs(), clock);
        this.instanceBootstrap = new InstanceBootstrap(stores.instances(), clock);
        this.instanceManagementApi = new InstanceManagementApi(stores.instances(), clock);
        this.keyManagementApi = new KeyManagementApi(() -> Json.mapper().valueToTree(
                rewrapDataKeys(settings, requireKeyEncryptionKey(stores))), clock);
        this.diagnosticsApi = new DiagnosticsApi(healthChecks(settings, stores, clock), metrics::scrape,
                PrometheusMetrics.contentType());
    }

    /**
     * The store: one cheap read (the default instance by host name; found or not, the read worked). The key
     * provider: a wrap and unwrap with the key-encryption key the stores seal with, at most every
     * {@link KeyProviderHealth#DEFAULT_INTERVAL} ("not configured" for stores without one).
     */
    private static Map<String, DiagnosticsApi.HealthCheck> healthChecks(AppSettings settings, Stores stores,
                                                                        Clock clock) {
        String defaultHost = settings.get(Setting.DEFAULT_INSTANCE_HOST);
        Map<String, DiagnosticsApi.HealthCheck> checks = new LinkedHashMap<>();
        checks.put("store", () -> {
            stores.instances().findByHostName(defaultHost);
            return "ok";
        });
        checks.put("keyProvider", stores.keyEncryptionKey() == null ? () -> "not configured"
                : new KeyProviderHealth(stores.keyEncryptionKey(), clock, KeyProviderHealth.DEFAULT_INTERVAL));
        return checks;
    }

    /**
     * The process-wide application, built from the app settings on first use, with the configured instances
     * created or brought up to date ({@link #ensureConfiguredInstances()}) before any function is served: on Azure
     * this is how a deployment gets its instance. If that fails (the store unreachable, say), nothing is kept and
     * the next call tries again.
     */
    public static synchronized ProvisioningApplication shared() {
        if (shared == null) {
            shared = started(AppSettings.fromEnvironment(), Clock.systemUTC());
        }
        return shared;
    }

    /** {@link #create(AppSettings, Clock)}, then {@link #ensureConfiguredInstances()}; closed again if that fails. */
    public static ProvisioningApplication started(AppSettings settings, Clock clock) {
        ProvisioningApplication application = create(settings, clock);
        try {
            List<ProvisioningInstance> instances = application.ensureConfiguredInstances();
            LOG.info("Provisioning service instances ready: " + String.join(", ", instances.stream()
                    .map(i -> i.hostName() + " (ID scope " + i.idScope() + ")").toList()));
            return application;
        } catch (RuntimeException e) {
            try {
                application.close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /**
     * The instances the settings describe, created if missing and brought up to date, the default first: the
     * default instance serves {@code DPS_DEFAULT_INSTANCE_HOST} (on Azure, the device app's host name), linked to
     * {@code DPS_LINKED_HUBS} with {@code DPS_DEFAULT_ALLOCATION_POLICY}; {@code DPS_INSTANCES} adds more. With no
     * hubs configured and the embedded hub registry, an instance without hubs gets {@value #LOCAL_HUBS} embedded
     * local hubs, so devices can be assigned out of the box; with real IoT hubs it gets none. Safe to run in many
     * processes at once ({@link InstanceBootstrap}).
     */
    public List<ProvisioningInstance> ensureConfiguredInstances() {
        int localHubs = HubRegistryKind.of(settings) == HubRegistryKind.EMBEDDED ? LOCAL_HUBS : 0;
        return instanceBootstrap.ensureConfigured(new InstanceBootstrap.Configuration(
                settings.get(Setting.DEFAULT_INSTANCE_HOST), LinkedHubSettings.parse(settings.get(Setting.LINKED_HUBS)),
                AllocationPolicy.fromWire(settings.get(Setting.DEFAULT_ALLOCATION_POLICY)),
                InstanceBootstrap.MoreInstance.parse(settings.get(Setting.INSTANCES)), localHubs));
    }

    public static ProvisioningApplication create(AppSettings settings, Clock clock) {
        // Settings errors surface before the store is opened, so nothing is left open.
        AllocationWebhook webhook = webhook(settings);
        HubLocations hubLocations = hubLocations(settings);
        return new ProvisioningApplication(settings, openStores(settings), webhook, hubLocations, clock);
    }

    /**
     * {@code DPS_HUB_LOCATIONS}: {@code {"<hub host>": {"region": "westeurope"} or {"lat": 52.4, "lon": 4.9}}}.
     * Coordinates win over a region; an entry with neither (or an unknown region) is a configuration error.
     */
    static HubLocations hubLocations(AppSettings settings) {
        String text = settings.get(Setting.HUB_LOCATIONS).trim();
        if (text.isEmpty()) {
            return HubLocations.NONE;
        }
        String key = Setting.HUB_LOCATIONS.key();
        JsonNode root;
        try {
            root = Json.mapper().readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(key + " is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(key + " must be a JSON object of hub host names to locations");
        }
        Map<String, GeoLocation> locations = new LinkedHashMap<>();
        root.fields().forEachRemaining(entry -> locations.put(entry.getKey(), hubLocation(key, entry.getKey(),
                entry.getValue())));
        return HubLocations.of(locations);
    }

    private static GeoLocation hubLocation(String key, String hub, JsonNode node) {
        JsonNode lat = node.path("lat");
        JsonNode lon = node.path("lon");
        if (lat.isNumber() && lon.isNumber()) {
            try {
                return new GeoLocation(lat.doubleValue(), lon.doubleValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": hub '" + hub + "': " + e.getMessage());
            }
        }
        JsonNode region = node.path("region");
        return AzureRegions.find(region.isTextual() ? region.asText() : null).orElseThrow(() ->
                new IllegalArgumentException(key + ": hub '" + hub + "' needs numeric \"lat\" and \"lon\" or a"
                        + " built-in \"region\" (see README), had " + node));
    }

    /** Custom allocation webhooks over HTTP(S), with the configured timeout and extra trusted CAs. */
    static HttpAllocationWebhook webhook(AppSettings settings) {
        int seconds = settings.getInt(Setting.CUSTOM_ALLOCATION_TIMEOUT_SECONDS);
        if (seconds < 1) {
            throw new IllegalArgumentException(Setting.CUSTOM_ALLOCATION_TIMEOUT_SECONDS.key()
                    + " must be at least 1, was " + seconds);
        }
        String caFile = settings.get(Setting.CUSTOM_ALLOCATION_CA_FILE);
        return new HttpAllocationWebhook(Duration.ofSeconds(seconds), caFile.isEmpty() ? null : Path.of(caFile));
    }

    /** An application on stores the caller opened (tests and embedding); closing it closes them. */
    public static ProvisioningApplication create(AppSettings settings, Stores stores, Clock clock) {
        return new ProvisioningApplication(settings, stores, webhook(settings), hubLocations(settings), clock);
    }

    /**
     * The stores the settings choose ({@link Setting#STORE}, {@link Setting#HUB_REGISTRY}), sealing secrets with
     * the key-encryption key they choose ({@link #keyEncryptionKey(AppSettings)}).
     */
    public static Stores openStores(AppSettings settings) {
        return openStores(settings, null);
    }

    /** As {@link #openStores(AppSettings)}, sealing secrets with {@code kek} (null: the one the settings choose). */
    public static Stores openStores(AppSettings settings, KeyEncryptionKey kek) {
        StoreKind kind = StoreKind.of(settings);
        HubRegistryKind hubRegistry = HubRegistryKind.of(settings);
        Duration hubTimeout = hubTimeout(settings);
        // Settings errors surface before the key-encryption key is opened (and a local key file made).
        KeyEncryptionKey keys = kek != null ? kek : keyEncryptionKey(settings);
        return kind == StoreKind.COSMOS ? openCosmosStores(settings, hubRegistry, hubTimeout, keys)
                : openSqliteStores(settings, hubRegistry, hubTimeout, keys);
    }

    /** The values of {@link Setting#STORE}. */
    private enum StoreKind {
        SQLITE, COSMOS;

        static StoreKind of(AppSettings settings) {
            String kind = settings.get(Setting.STORE).toLowerCase(Locale.ROOT);
            return switch (kind) {
                case "sqlite" -> SQLITE;
                case "cosmos" -> COSMOS;
                default -> throw new IllegalArgumentException(Setting.STORE.key() + " must be 'sqlite' or 'cosmos',"
                        + " was '" + kind + "'");
            };
        }
    }

    /**
     * The key-encryption key the settings choose (README, "Secrets at rest"): the Key Vault key of
     * {@link Setting#KEY_VAULT_KEY_ID} if it is set, reached with the app's managed identity; else the local key
     * file {@link #kekFile}, created if missing. With Key Vault, an existing local key file still unwraps what it
     * wrapped before, until {@link #rewrapDataKeys} has moved it all.
     *
     * @throws IllegalArgumentException if the Key Vault key identifier is malformed or there is no managed identity
     * @throws IllegalStateException    if Key Vault cannot be reached, refuses, or the key does not suit
     */
    public static KeyEncryptionKeyRing keyEncryptionKey(AppSettings settings) {
        return keyEncryptionKey(settings, KeyVaultKeyEncryptionKey.Options.DEFAULTS);
    }

    /** As {@link #keyEncryptionKey(AppSettings)}, talking to Key Vault as {@code options} say. */
    public static KeyEncryptionKeyRing keyEncryptionKey(AppSettings settings, KeyVaultKeyEncryptionKey.Options options) {
        String setting = Setting.KEY_VAULT_KEY_ID.key();
        String keyId = settings.get(Setting.KEY_VAULT_KEY_ID).trim();
        Path file = kekFile(settings);
        if (keyId.isEmpty()) {
            return KeyEncryptionKeyRing.current(LocalKeyFile.PREFIX, LocalKeyFile.openOrCreate(file))
                    .absent(KeyVaultKeyEncryptionKey.PREFIX, "no Key Vault key is configured (" + setting + ").")
                    .build();
        }
        KeyVaultKeyId id;
        try {
            id = KeyVaultKeyId.parse(keyId);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage());
        }
        ManagedIdentityTokenCredential credential = ManagedIdentityTokenCredential.fromSettings(settings,
                options.timeout()).orElseThrow(() -> new IllegalArgumentException(setting + " is set, but the app"
                + " has no managed identity to reach Key Vault with: " + ManagedIdentityTokens.IDENTITY_ENDPOINT
                + " and " + ManagedIdentityTokens.IDENTITY_HEADER + " (which Azure Functions and App"
                + " Service set for an app with an identity) are missing."));
        KeyVaultKeyEncryptionKey vault;
        try {
            vault = KeyVaultKeyEncryptionKey.connect(id, credential, options);
        } catch (KeyVaultSetupException e) {
            throw new IllegalStateException(setting + ": " + e.getMessage(), e);
        }
        KeyEncryptionKeyRing.Builder ring = KeyEncryptionKeyRing.current(KeyVaultKeyEncryptionKey.PREFIX, vault);
        LocalKeyFile.openIfExists(file).ifPresentOrElse(local -> ring.alsoReads(LocalKeyFile.PREFIX, local),
                () -> ring.absent(LocalKeyFile.PREFIX, "the local key file " + file + " that wrapped it is not"
                        + " present: restore it (" + Setting.KEK_FILE.key() + ") to read, and re-wrap, what was"
                        + " stored before " + setting + " was set."));
        return ring.build();
    }

    private static Stores openSqliteStores(AppSettings settings, HubRegistryKind hubRegistry, Duration hubTimeout,
                                           KeyEncryptionKey kek) {
        Path dataDir = Path.of(settings.get(Setting.DATA_DIR));
        SqliteDatabase database = SqliteDatabase.open(dataDir, SqliteDatabase.DEFAULT_READER_CONNECTIONS,
                new SecretEnvelope(kek));
        HubRegistry hubs = hubRegistry == HubRegistryKind.IOTHUB
                ? IotHubRegistry.create(hubTimeout, ManagedIdentityCredentials.fromSettings(settings, hubTimeout))
                : new SqliteHubRegistry(database);
        return new Stores(new SqliteInstanceStore(database), new SqliteEnrollmentStore(database),
                new SqliteEnrollmentGroupStore(database), new SqliteRegistrationStateStore(database),
                new SqliteRegistrationOperationStore(database), new SqliteTpmChallengeStore(database),
                hubs, new SqliteCaCertificateStore(database), database::close, kek);
    }

    /** {@link Setting#KEK_FILE}, by default {@code <DPS_DATA_DIR>/keys/kek.json}. */
    public static Path kekFile(AppSettings settings) {
        String file = settings.get(Setting.KEK_FILE).trim();
        return file.isEmpty() ? Path.of(settings.get(Setting.DATA_DIR), "keys", "kek.json") : Path.of(file);
    }

    /**
     * Rotates the key-encryption key the settings choose and re-wraps the stored data keys under the new
     * version; returns the new version's name. The local key file gets a new version; a Key Vault key a new
     * version in Key Vault (which needs the Key Vault Crypto Officer role; or rotate it in Key Vault and call
     * {@link #rewrapDataKeys}). Nothing stops: running processes pick the new version up (within a second from
     * the file, within their refresh interval from Key Vault), older versions stay readable, and what a process
     * sealed before it noticed moves on the next re-wrap or write.
     */
    public static String rotateKeyEncryptionKey(AppSettings settings) {
        return rotateKeyEncryptionKey(settings, keyEncryptionKey(settings));
    }

    /** As {@link #rotateKeyEncryptionKey(AppSettings)}, with this key-encryption key. */
    public static String rotateKeyEncryptionKey(AppSettings settings, KeyEncryptionKey kek) {
        String version = kek.rotate();
        rewrapDataKeys(settings, kek);
        return version;
    }

    /** What {@link #rewrapDataKeys} did. */
    public record DataKeysRewrapped(String version, long documents, long rewritten, long secrets, long dataKeys,
                                    long unreadable, long changedMeanwhile) {
    }

    /**
     * Re-wraps every stored data key that is not under the key-encryption key's current version, without
     * decrypting a secret or changing a record (etags stay): after a rotation, so that older versions can be
     * retired; after setting {@link Setting#KEY_VAULT_KEY_ID}, to move what the local key file wrapped to Key
     * Vault. Runs beside running processes, on either store: documents are replaced only if unchanged since read
     * (on Cosmos DB, with {@code If-Match} their etag), and one written meanwhile is left as its writer made it
     * ({@code changedMeanwhile}). Values whose data key cannot be unwrapped are left and counted
     * ({@code unreadable}). A store or KEK that cannot be reached stops the pass
     * ({@link dev.opendps.domain.port.StoreUnavailableException}); running it again continues.
     */
    public static DataKeysRewrapped rewrapDataKeys(AppSettings settings, KeyEncryptionKey kek) {
        DataKeyRewrap rewrap = new DataKeyRewrap(kek);
        DocumentRewrite rewrite;
        if (StoreKind.of(settings) == StoreKind.COSMOS) {
            try (CosmosDatabase database = connectCosmos(settings, new SecretEnvelope(kek))) {
                rewrite = database.rewriteDocuments(rewrap::apply);
            }
        } else {
            try (SqliteDatabase database = SqliteDatabase.open(Path.of(settings.get(Setting.DATA_DIR)), 2,
                    new SecretEnvelope(kek))) {
                rewrite = database.rewriteDocuments(rewrap::apply);
            }
        }
        DataKeysRewrapped result = new DataKeysRewrapped(rewrap.target(), rewrite.scanned(), rewrite.rewritten(),
                rewrap.secrets(), rewrap.dataKeys(), rewrap.unreadable(), rewrite.changedMeanwhile());
        LOG.info("Re-wrapped stored data keys: " + result);
        return result;
    }

    /**
     * Every store on Cosmos DB ({@code DPS_COSMOS_ENDPOINT}, {@code DPS_COSMOS_DATABASE}); the embedded hub
     * registry too, unless {@code DPS_HUB_REGISTRY=iothub} names real hubs. Signs in with {@code DPS_COSMOS_KEY}
     * if it is set (the key is only used to sign requests and never appears in a message), else with the app's
     * managed identity ({@code DPS_MANAGED_IDENTITY_CLIENT_ID}), as on Azure, where the account accepts nothing else.
     */
    private static Stores openCosmosStores(AppSettings settings, HubRegistryKind hubRegistry, Duration hubTimeout,
                                           KeyEncryptionKey kek) {
        // Instances scaled out on Azure share one KEK through Key Vault (DPS_KEY_VAULT_KEY_ID); the local key file
        // suits one machine only, as each instance would make its own.
        CosmosDatabase database = connectCosmos(settings, new SecretEnvelope(kek));
        try {
            HubRegistry hubs = hubRegistry == HubRegistryKind.IOTHUB
                    ? IotHubRegistry.create(hubTimeout, ManagedIdentityCredentials.fromSettings(settings, hubTimeout))
                    : new CosmosHubRegistry(database);
            return new Stores(new CosmosInstanceStore(database), new CosmosEnrollmentStore(database),
                    new CosmosEnrollmentGroupStore(database), new CosmosRegistrationStateStore(database),
                    new CosmosRegistrationOperationStore(database), new CosmosTpmChallengeStore(database),
                    hubs, new CosmosCaCertificateStore(database), database::close, kek);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** The Cosmos DB database the settings name, signed in to as {@link #openCosmosStores} says. */
    private static CosmosDatabase connectCosmos(AppSettings settings, SecretEnvelope envelope) {
        for (Setting required : new Setting[] {Setting.COSMOS_ENDPOINT, Setting.COSMOS_DATABASE}) {
            if (settings.get(required).isBlank()) {
                throw new IllegalArgumentException(Setting.STORE.key() + "=cosmos needs " + required.key());
            }
        }
        String endpoint = settings.get(Setting.COSMOS_ENDPOINT);
        String key = settings.get(Setting.COSMOS_KEY);
        return key.isBlank()
                ? CosmosDatabase.connect(endpoint, cosmosIdentity(settings), settings.get(Setting.COSMOS_DATABASE),
                        envelope, cosmosThrottling(settings))
                : CosmosDatabase.connect(endpoint, key, settings.get(Setting.COSMOS_DATABASE), envelope,
                        cosmosThrottling(settings));
    }

    /** Without a key, Cosmos DB is signed in to with the managed identity the platform gives the app. */
    private static ManagedIdentityTokens cosmosIdentity(AppSettings settings) {
        return ManagedIdentityTokens.fromSettings(settings, IDENTITY_ENDPOINT_TIMEOUT).orElseThrow(() ->
                new IllegalArgumentException(Setting.STORE.key() + "=cosmos needs " + Setting.COSMOS_KEY.key()
                        + ", or a managed identity to sign in with (" + ManagedIdentityTokens.IDENTITY_ENDPOINT + " and "
                        + ManagedIdentityTokens.IDENTITY_HEADER + ", which Azure Functions sets for an app with an"
                        + " identity; " + Setting.MANAGED_IDENTITY_CLIENT_ID.key() + " names a user-assigned one)"));
    }

    /** {@link Setting#COSMOS_THROTTLING_RETRIES} and {@link Setting#COSMOS_THROTTLING_MAX_WAIT_SECONDS}. */
    static CosmosDatabase.ThrottlingRetry cosmosThrottling(AppSettings settings) {
        int retries = settings.getInt(Setting.COSMOS_THROTTLING_RETRIES);
        int seconds = settings.getInt(Setting.COSMOS_THROTTLING_MAX_WAIT_SECONDS);
        if (retries < 0 || seconds < 0) {
            throw new IllegalArgumentException(Setting.COSMOS_THROTTLING_RETRIES.key() + " and "
                    + Setting.COSMOS_THROTTLING_MAX_WAIT_SECONDS.key() + " must not be negative, were " + retries
                    + " and " + seconds);
        }
        return new CosmosDatabase.ThrottlingRetry(retries, Duration.ofSeconds(seconds));
    }

    /** The values of {@link Setting#HUB_REGISTRY}. */
    enum HubRegistryKind {
        EMBEDDED, IOTHUB;

        static HubRegistryKind of(AppSettings settings) {
            String value = settings.get(Setting.HUB_REGISTRY).toLowerCase(Locale.ROOT);
            return switch (value) {
                case "embedded" -> EMBEDDED;
                case "iothub" -> IOTHUB;
                default -> throw new IllegalArgumentException(Setting.HUB_REGISTRY.key()
                        + " must be 'embedded' or 'iothub', was '" + value + "'");
            };
        }
    }

    private static Duration hubTimeout(AppSettings settings) {
        int seconds = settings.getInt(Setting.HUB_TIMEOUT_SECONDS);
        if (seconds < 1) {
            throw new IllegalArgumentException(Setting.HUB_TIMEOUT_SECONDS.key() + " must be at least 1, was "
                    + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    public ServiceApi serviceApi() {
        return serviceApi;
    }

    public DeviceApi deviceApi() {
        return deviceApi;
    }

    public LocalHubRegistryApi localHubRegistryApi() {
        return localHubRegistryApi;
    }

    /** Health and the metrics scrape. */
    public DiagnosticsApi diagnosticsApi() {
        return diagnosticsApi;
    }

    /** The metrics this process recorded (kept in memory). */
    public PrometheusMetrics metrics() {
        return metrics;
    }

    public InstanceBootstrap instanceBootstrap() {
        return instanceBootstrap;
    }

    /** What an administrator needs to connect: each instance's ID scope and service connection string. */
    public InstanceManagementApi instanceManagementApi() {
        return instanceManagementApi;
    }

    public KeyManagementApi keyManagementApi() {
        return keyManagementApi;
    }

    private static KeyEncryptionKey requireKeyEncryptionKey(Stores stores) {
        if (stores.keyEncryptionKey() == null) {
            throw new IllegalStateException("These stores seal no secrets under a key-encryption key of the app's");
        }
        return stores.keyEncryptionKey();
    }

    public Stores stores() {
        return stores;
    }

    @Override
    public void close() throws Exception {
        stores.resources().close();
    }
}
