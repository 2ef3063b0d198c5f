package dev.opendps.adapters.keyvault;

import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.util.HttpClientOptions;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.KeyServiceVersion;
import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.CryptographyServiceVersion;
import com.azure.security.keyvault.keys.cryptography.models.KeyWrapAlgorithm;
import com.azure.security.keyvault.keys.models.KeyOperation;
import com.azure.security.keyvault.keys.models.KeyType;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import dev.opendps.adapters.RemoteText;
import dev.opendps.adapters.identity.ManagedIdentityException;
import dev.opendps.config.Setting;
import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.domain.port.SecretProtectionException;
import dev.opendps.domain.port.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The key-encryption key held in Azure Key Vault: an RSA key that wraps and unwraps data keys with RSA-OAEP-256
 * ({@code POST …/keys/<name>/<version>/wrapkey|unwrapkey}); the private key never leaves the vault. Each data
 * key records the key version that wrapped it, {@code keyvault:https://<vault>/keys/<name>/<version>}, so a
 * rotation in Key Vault (a new version) makes new data keys wrap under the new version while the old ones
 * still unwrap, as long as their versions stay enabled.
 *
 * <p>Configured with a versionless identifier, the current version is read at start ({@code GET
 * /keys/<name>}) and again every {@link Options#refreshInterval()}, so the processes of a deployment follow a
 * rotation on their own; with a version, that version stays current. Key Vault is never on a request's path
 * but for the rare miss: the envelope wraps one data key per process every few minutes and caches what it
 * unwrapped. All operations run in the vault ({@code disableKeyCaching}: the SDK does not fetch the public key
 * to wrap locally), so what this adapter needs from Key Vault is small: get, rotate, wrap and unwrap.
 *
 * <p>Errors: a version that is not one of this key's is refused before any call (a stored document cannot
 * point this adapter at another vault); a version Key Vault does not have, or a wrapped key it cannot unwrap,
 * is a {@link SecretProtectionException}; an unreachable, slow, throttled or refusing vault is a
 * {@link StoreUnavailableException} (the APIs answer 503). Messages name the key and what Key Vault answered,
 * never a token or key material.
 */
public final class KeyVaultKeyEncryptionKey implements KeyEncryptionKey {
    /** The prefix of this holder's version names: {@code keyvault:https://…/keys/<name>/<version>}. */
    public static final String PREFIX = "keyvault:";
    /** RSA-OAEP with SHA-256 and MGF1-SHA-256: what Key Vault calls RSA-OAEP-256. */
    static final KeyWrapAlgorithm ALGORITHM = KeyWrapAlgorithm.RSA_OAEP_256;
    /** The Key Vault REST API version spoken: 7.5 has everything used here (rotate came in 7.3). */
    static final String SERVICE_VERSION = "7.5";

    private static final Logger LOG = Logger.getLogger(KeyVaultKeyEncryptionKey.class.getName());
    /** How many per-version clients are kept; versions are few, and a stored document cannot grow this past it. */
    private static final int MAX_CLIENTS = 64;

    /**
     * How the adapter talks to Key Vault.
     *
     * @param httpClient              the HTTP client (null: the Azure SDK's default, Netty, with {@code timeout})
     * @param timeout                 connect and response timeout of one attempt
     * @param retries                 retries of a failed or throttled attempt (exponential back-off, honouring
     *                                Key Vault's {@code Retry-After})
     * @param refreshInterval         how often a versionless key's current version is read again
     * @param verifyChallengeResource whether the bearer challenge's resource must match the vault's host (the
     *                                SDK's protection against sending a token elsewhere; only a test server on
     *                                127.0.0.1 turns it off)
     */
    public record Options(HttpClient httpClient, Duration timeout, int retries, Duration refreshInterval,
                          boolean verifyChallengeResource) {
        public static final Options DEFAULTS = new Options(null, Duration.ofSeconds(10), 3, Duration.ofMinutes(1),
                true);

        public Options {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(refreshInterval, "refreshInterval");
            if (retries < 0) {
                throw new IllegalArgumentException("retries must not be negative");
            }
        }

        public Options withHttpClient(HttpClient client) {
            return new Options(client, timeout, retries, refreshInterval, verifyChallengeResource);
        }

        public Options withRefreshInterval(Duration interval) {
            return new Options(httpClient, timeout, retries, interval, verifyChallengeResource);
        }

        public Options withRetries(int count) {
            return new Options(httpClient, timeout, count, refreshInterval, verifyChallengeResource);
        }

        /** For a Key Vault test server whose challenge names the real Key Vault resource, not its own host. */
        public Options withoutChallengeResourceVerification() {
            return new Options(httpClient, timeout, retries, refreshInterval, false);
        }
    }

    private final KeyVaultKeyId key;
    private final TokenCredential credential;
    private final Options options;
    private final HttpClient http;
    private final RetryOptions retry;
    private final KeyClient keys;
    private final Map<String, CryptographyClient> clients = new ConcurrentHashMap<>();
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile String current;
    private volatile long nextRefresh;

    private KeyVaultKeyEncryptionKey(KeyVaultKeyId key, TokenCredential credential, Options options) {
        this.key = key;
        this.credential = credential;
        this.options = options;
        this.http = options.httpClient() != null ? options.httpClient() : HttpClient.createDefault(
                new HttpClientOptions().setConnectTimeout(options.timeout()).setResponseTimeout(options.timeout())
                        .setReadTimeout(options.timeout()).setWriteTimeout(options.timeout()));
        this.retry = new RetryOptions(new ExponentialBackoffOptions().setMaxRetries(options.retries())
                .setBaseDelay(Duration.ofMillis(200)).setMaxDelay(Duration.ofSeconds(2)));
        KeyClientBuilder builder = new KeyClientBuilder().vaultUrl(key.vaultUrl()).credential(credential)
                .httpClient(http).retryOptions(retry).serviceVersion(KeyServiceVersion.valueOf("V"
                        + SERVICE_VERSION.replace('.', '_')));
        if (!options.verifyChallengeResource()) {
            builder.disableChallengeResourceVerification();
        }
        this.keys = builder.buildClient();
    }

    /**
     * Connects to the key and reads its current (or pinned) version, checking that it is an enabled RSA key
     * that may wrap and unwrap.
     *
     * @throws KeyVaultSetupException if Key Vault cannot be reached or refuses, or the key does not suit; the
     *                                message says which and what to change
     */
    public static KeyVaultKeyEncryptionKey connect(KeyVaultKeyId key, TokenCredential credential, Options options) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(credential, "credential");
        KeyVaultKeyEncryptionKey kek = new KeyVaultKeyEncryptionKey(key, credential,
                Objects.requireNonNull(options, "options"));
        KeyVaultKey found;
        try {
            found = kek.keys.getKey(key.name(), key.version() == null ? "" : key.version());
        } catch (RuntimeException e) {
            throw new KeyVaultSetupException("Could not read the Key Vault key " + key + ": " + describe(e)
                    + advice(e), e);
        }
        String problem = unsuitable(found);
        if (problem != null) {
            throw new KeyVaultSetupException("The Key Vault key " + key + " cannot be the key-encryption key: "
                    + problem);
        }
        kek.current = kek.versionName(found.getProperties().getVersion());
        kek.nextRefresh = System.nanoTime() + options.refreshInterval().toNanos();
        LOG.info("Key-encryption key: " + kek.description());
        return kek;
    }

    /** The key as configured (with its version if pinned). */
    public KeyVaultKeyId keyId() {
        return key;
    }

    @Override
    public String currentVersion() {
        if (!key.pinned() && System.nanoTime() - nextRefresh >= 0 && refreshing.tryLock()) {
            // One thread reads the current version; the others go on with the one they have.
            try {
                if (System.nanoTime() - nextRefresh >= 0) {
                    refreshCurrentVersion();
                }
            } finally {
                refreshing.unlock();
            }
        }
        return current;
    }

    private void refreshCurrentVersion() {
        try {
            KeyVaultKey found = keys.getKey(key.name(), "");
            String problem = unsuitable(found);
            if (problem != null) {
                LOG.warning("The current version of the Key Vault key " + key + " cannot wrap (" + problem
                        + "); data keys stay wrapped under " + current + ".");
            } else {
                String latest = versionName(found.getProperties().getVersion());
                if (!latest.equals(current)) {
                    LOG.info("The Key Vault key-encryption key was rotated: new data keys are wrapped under "
                            + latest + ".");
                    current = latest;
                }
            }
            nextRefresh = System.nanoTime() + options.refreshInterval().toNanos();
        } catch (RuntimeException e) {
            // Key Vault is not needed to keep sealing with the version this process has: try again soon.
            LOG.warning("Could not read the current version of the Key Vault key " + key + " (" + describe(e)
                    + "); data keys stay wrapped under " + current + ".");
            nextRefresh = System.nanoTime() + Math.min(options.refreshInterval().toNanos(),
                    Duration.ofSeconds(10).toNanos());
        }
    }

    @Override
    public WrappedKey wrap(byte[] dataKey) {
        String version = currentVersion();
        try {
            byte[] wrapped = client(version).wrapKey(ALGORITHM, dataKey).getEncryptedKey();
            return new WrappedKey(version, wrapped);
        } catch (RuntimeException e) {
            throw unavailable("wrap a data key with " + version, e);
        }
    }

    @Override
    public byte[] unwrap(String version, byte[] wrappedKey) {
        String own = ownVersion(version);
        if (own == null) {
            throw new SecretProtectionException("The key-encryption key version '" + version + "' is not a version"
                    + " of the configured Key Vault key " + key.keyUrl() + ".");
        }
        try {
            return client(version).unwrapKey(ALGORITHM, wrappedKey).getKey();
        } catch (HttpResponseException e) {
            int status = status(e);
            if (status == 404) {
                throw new SecretProtectionException("The key-encryption key version '" + version + "' is not in"
                        + " Key Vault (deleted, or from another vault?): " + describe(e));
            }
            if (status == 400) {
                throw new SecretProtectionException("A data key wrapped under '" + version + "' could not be"
                        + " unwrapped by Key Vault: it was altered, or wrapped under another key (" + describe(e)
                        + ").");
            }
            throw unavailable("unwrap a data key with " + version, e);
        } catch (RuntimeException e) {
            throw unavailable("unwrap a data key with " + version, e);
        }
    }

    /**
     * Makes a new version of the key in Key Vault ({@code POST /keys/<name>/rotate}, which needs the Key Vault
     * Crypto Officer role, not the Crypto User role the apps have) and makes it current here; other processes
     * follow within their refresh interval. Returns the new version's name.
     */
    @Override
    public String rotate() {
        if (key.pinned()) {
            throw new IllegalStateException("The Key Vault key-encryption key is pinned to version " + key.version()
                    + ": rotating the key would not change what this deployment wraps with. Configure the key"
                    + " identifier without a version to follow rotations.");
        }
        KeyVaultKey rotated;
        try {
            rotated = keys.rotateKey(key.name());
        } catch (RuntimeException e) {
            throw new KeyVaultSetupException("Could not rotate the Key Vault key " + key + ": " + describe(e)
                    + (status(e) == 403 ? ". Rotating needs the Key Vault Crypto Officer role; or rotate it in Key"
                    + " Vault (az keyvault key rotate) and then re-wrap the data keys." : advice(e)), e);
        }
        String version = versionName(rotated.getProperties().getVersion());
        current = version;
        nextRefresh = System.nanoTime() + options.refreshInterval().toNanos();
        LOG.info("Key-encryption key rotated: new data keys are wrapped under " + version + ".");
        return version;
    }

    @Override
    public String description() {
        return "Key Vault key " + (key.pinned() ? key.toString() : key.keyUrl() + " (current version "
                + current.substring(current.lastIndexOf('/') + 1) + ")");
    }

    /** {@code keyvault:<vault>/keys/<name>/<version>}. */
    private String versionName(String version) {
        return PREFIX + key.withVersion(version);
    }

    /** The Key Vault version a version name denotes, if it is one of this key's; else null. */
    private String ownVersion(String versionName) {
        String prefix = PREFIX + key.keyUrl() + "/";
        if (versionName == null || !versionName.startsWith(prefix)) {
            return null;
        }
        String version = versionName.substring(prefix.length());
        try {
            return key.withVersion(version).version();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private CryptographyClient client(String versionName) {
        CryptographyClient client = clients.get(versionName);
        if (client != null) {
            return client;
        }
        if (clients.size() >= MAX_CLIENTS) {
            clients.clear();
        }
        return clients.computeIfAbsent(versionName, name -> {
            CryptographyClientBuilder builder = new CryptographyClientBuilder()
                    .keyIdentifier(name.substring(PREFIX.length())).credential(credential).httpClient(http)
                    .retryOptions(retry).serviceVersion(CryptographyServiceVersion.valueOf("V"
                            + SERVICE_VERSION.replace('.', '_')))
                    .disableKeyCaching();
            if (!options.verifyChallengeResource()) {
                builder.disableChallengeResourceVerification();
            }
            return builder.buildClient();
        });
    }

    /** Why a key cannot be the KEK, or null if it can. */
    private static String unsuitable(KeyVaultKey found) {
        KeyType type = found.getKeyType();
        if (!KeyType.RSA.equals(type) && !KeyType.RSA_HSM.equals(type)) {
            return "it is a " + type + " key, and RSA-OAEP-256 needs an RSA key.";
        }
        if (Boolean.FALSE.equals(found.getProperties().isEnabled())) {
            return "it is disabled.";
        }
        List<KeyOperation> operations = found.getKeyOperations();
        if (operations != null && !operations.isEmpty()
                && !(operations.contains(KeyOperation.WRAP_KEY) && operations.contains(KeyOperation.UNWRAP_KEY))) {
            return "its permitted operations " + operations + " do not include wrapKey and unwrapKey.";
        }
        return null;
    }

    /** A failure of Key Vault (or of getting a token for it) that a later call may not meet: DPS answers 503. */
    private RuntimeException unavailable(String action, RuntimeException e) {
        LOG.warning("Key Vault could not " + action + ": " + describe(e));
        return new StoreUnavailableException("Key Vault could not " + action + ": " + describe(e) + advice(e));
    }

    /** What went wrong, from the status and Key Vault's error, or the identity endpoint's; never a token. */
    static String describe(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ManagedIdentityException identity) {
                return identity.getMessage();
            }
        }
        if (e instanceof HttpResponseException http && http.getResponse() != null) {
            return "Key Vault answered " + http.getResponse().getStatusCode() + " ("
                    + RemoteText.sanitize(http.getMessage() == null ? "" : http.getMessage()) + ")";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "Key Vault could not be reached (" + root.getClass().getSimpleName() + ")";
    }

    /** A hint for what an operator can change, for refusals that configuration causes. */
    private static String advice(Throwable e) {
        int status = status(e);
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ManagedIdentityException identity && identity.refused()) {
                return ". Check the app's managed identity and " + Setting.MANAGED_IDENTITY_CLIENT_ID.key() + ".";
            }
        }
        return switch (status) {
            case 401, 403 -> ". The app's managed identity needs the Key Vault Crypto User role on the vault.";
            case 404 -> ". Check the key identifier (" + Setting.KEY_VAULT_KEY_ID.key() + ").";
            default -> "";
        };
    }

    private static int status(Throwable e) {
        return e instanceof HttpResponseException http && http.getResponse() != null
                ? http.getResponse().getStatusCode() : 0;
    }
}
