package dev.opendps.config;

import java.util.List;

/**
 * Every setting the function apps read, with its default. Each also appears in
 * local.settings.sample.json and the README.
 */
public enum Setting {
    /**
     * Which store adapter backs enrollments and registrations: {@code sqlite} (embedded, durable) or
     * {@code cosmos} (Cosmos DB, SQL API; needs {@code DPS_COSMOS_ENDPOINT} and {@code DPS_COSMOS_KEY}).
     */
    STORE("DPS_STORE", "sqlite"),
    /** Folder of the embedded store (and of the local host's certificates and keys). */
    DATA_DIR("DPS_DATA_DIR", ".dps-local"),
    /**
     * The local key-encryption key file that wraps the data keys encrypting stored secrets (symmetric keys,
     * policy keys, linked-hub connection strings, TPM challenge keys); created owner-only on first start.
     * Empty: {@code <DPS_DATA_DIR>/keys/kek.json}. Keep it out of backups that travel with the store.
     */
    KEK_FILE("DPS_KEK_FILE", ""),
    /**
     * The Key Vault key that wraps the data keys instead of the local key file:
     * {@code https://<vault>.vault.azure.net/keys/<name>} (its current version, followed through rotations) or
     * with {@code /<version>} (that version only). Reached with the app's managed identity (the platform's
     * {@code IDENTITY_ENDPOINT}, client id {@code DPS_MANAGED_IDENTITY_CLIENT_ID}). If the local key file
     * exists too, what it sealed stays readable and is moved to Key Vault by a re-wrap. Empty: the local file.
     */
    KEY_VAULT_KEY_ID("DPS_KEY_VAULT_KEY_ID", ""),
    /** With {@code DPS_STORE=cosmos}: the account endpoint, e.g. {@code https://<account>.documents.azure.com:443/}. */
    COSMOS_ENDPOINT("DPS_COSMOS_ENDPOINT", ""),
    /** With {@code DPS_STORE=cosmos}: the account key. A secret: never logged. */
    COSMOS_KEY("DPS_COSMOS_KEY", ""),
    /** With {@code DPS_STORE=cosmos}: the database, created with its containers if missing. */
    COSMOS_DATABASE("DPS_COSMOS_DATABASE", "opendps"),
    /**
     * With {@code DPS_STORE=cosmos}: how many times a throttled request (429) is retried, each after the wait
     * Cosmos DB names, before the API answers DPS's 429 ({@code 429001}) with that wait as {@code retry-after}.
     */
    COSMOS_THROTTLING_RETRIES("DPS_COSMOS_THROTTLING_RETRIES", "9"),
    /** With {@code DPS_STORE=cosmos}: the longest one request spends waiting in those retries, in seconds. */
    COSMOS_THROTTLING_MAX_WAIT_SECONDS("DPS_COSMOS_THROTTLING_MAX_WAIT_SECONDS", "30"),
    /** Host name of the instance the local host creates on first start (the connection string's HostName). */
    DEFAULT_INSTANCE_HOST("DPS_DEFAULT_INSTANCE_HOST", "localhost"),
    /** More instances the local host creates on start: comma-separated host names, each optionally {@code =idScope}. */
    INSTANCES("DPS_INSTANCES", ""),
    /** Clock skew tolerated on SAS expiry, in seconds. */
    SAS_CLOCK_SKEW_SECONDS("DPS_SAS_CLOCK_SKEW_SECONDS", "300"),
    /** Longest lifetime a device SAS token may have left (its {@code se} at most this far ahead), in seconds. */
    SAS_MAX_LIFETIME_SECONDS("DPS_SAS_MAX_LIFETIME_SECONDS", "2592000"),
    /**
     * Hubs linked to the default instance, applied by the local host on every start: IoT Hub connection
     * strings separated by commas, each optionally with {@code ;AllocationWeight=N;ApplyAllocationPolicy=false};
     * {@code HostName=…} without a key links a hub that DPS reaches with its managed identity.
     * Empty: two embedded local hubs.
     */
    LINKED_HUBS("DPS_LINKED_HUBS", ""),
    /** The default instance's service-level allocation policy: hashed, geoLatency or static (never custom). */
    DEFAULT_ALLOCATION_POLICY("DPS_DEFAULT_ALLOCATION_POLICY", "hashed"),
    /**
     * Where linked hubs are, for {@code geoLatency}: a JSON object mapping hub host names to
     * {@code {"region": …}} (a built-in Azure region) or {@code {"lat": …, "lon": …}}. Empty: no locations, so
     * {@code geoLatency} is the weighted hash.
     */
    HUB_LOCATIONS("DPS_HUB_LOCATIONS", ""),
    /**
     * How long a custom allocation webhook may take, in seconds: to connect, and for the whole call. The
     * device's registration waits for it.
     */
    CUSTOM_ALLOCATION_TIMEOUT_SECONDS("DPS_CUSTOM_ALLOCATION_TIMEOUT_SECONDS", "5"),
    /**
     * PEM file of CAs trusted for HTTPS custom allocation webhooks besides the JDK's (empty: none). The local
     * host sets it to its own CA unless it is set.
     */
    CUSTOM_ALLOCATION_CA_FILE("DPS_CUSTOM_ALLOCATION_CA_FILE", ""),
    /**
     * Where device identities go: {@code embedded} (the hub registry in the embedded store) or {@code iothub}
     * (the real IoT hubs' registry REST API, authenticated with each linked hub's connection string, or for a
     * hub linked without a key with the app's managed identity).
     */
    HUB_REGISTRY("DPS_HUB_REGISTRY", "embedded"),
    /** With {@code DPS_HUB_REGISTRY=iothub}: how long one call to a hub may take to connect, and to answer, in seconds. */
    HUB_TIMEOUT_SECONDS("DPS_HUB_TIMEOUT_SECONDS", "10"),
    /**
     * The client id of the user-assigned managed identity DPS signs in with wherever it uses one: towards linked
     * hubs without a key ({@code DPS_HUB_REGISTRY=iothub}) and towards Cosmos DB ({@code DPS_STORE=cosmos} without
     * {@code DPS_COSMOS_KEY}). Empty: the app's system-assigned identity. Formerly
     * {@code DPS_HUB_MANAGED_IDENTITY_CLIENT_ID}, which is still read when this is not set.
     */
    MANAGED_IDENTITY_CLIENT_ID("DPS_MANAGED_IDENTITY_CLIENT_ID", "", "DPS_HUB_MANAGED_IDENTITY_CLIENT_ID");

    private final String key;
    private final String defaultValue;
    private final List<String> formerKeys;

    Setting(String key, String defaultValue, String... formerKeys) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.formerKeys = List.of(formerKeys);
    }

    public String key() {
        return key;
    }

    /** Names this setting had before, still read (after {@link #key()}) so existing configurations keep working. */
    public List<String> formerKeys() {
        return formerKeys;
    }

    public String defaultValue() {
        return defaultValue;
    }
}
