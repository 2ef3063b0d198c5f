package dev.opendps.testing;

import dev.opendps.adapters.identity.ManagedIdentityTokenCredential;
import dev.opendps.adapters.identity.ManagedIdentityTokens;
import dev.opendps.adapters.keyvault.KeyVaultKeyEncryptionKey;
import dev.opendps.config.AppSettings;
import dev.opendps.config.Setting;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * What a test of the Key Vault key-encryption key needs: a {@link KeyVaultTestServer} holding an RSA key, and a
 * {@link ManagedIdentityTestEndpoint} that issues the user-assigned identity {@link #CLIENT_ID} tokens for Key
 * Vault, which the server accepts. {@link #settings()} are the app settings that select it, {@link #options()}
 * how the adapter must talk to the test server (its certificate trusted, no challenge resource check, a short
 * refresh and few retries so failures show quickly).
 */
public final class KeyVaultTestBed implements AutoCloseable {
    public static final String CLIENT_ID = "11111111-2222-3333-4444-555555555555";

    public final ManagedIdentityTestEndpoint identity;
    public final KeyVaultTestServer vault;
    public final String keyName;

    private KeyVaultTestBed(ManagedIdentityTestEndpoint identity, KeyVaultTestServer vault, String keyName) {
        this.identity = identity;
        this.vault = vault;
        this.keyName = keyName;
    }

    /** Both servers, and the key {@code keyName} with one version. */
    public static KeyVaultTestBed start(String keyName) {
        ManagedIdentityTestEndpoint identity = ManagedIdentityTestEndpoint.start(Clock.systemUTC());
        identity.issueFor(KeyVaultTestServer.RESOURCE);
        identity.addUserAssignedIdentity(CLIENT_ID);
        KeyVaultTestServer vault = KeyVaultTestServer.start();
        vault.acceptBearerTokens(token -> identity.isValid(token)
                && KeyVaultTestServer.RESOURCE.equals(identity.resourceOf(token)));
        vault.createKey(keyName);
        return new KeyVaultTestBed(identity, vault, keyName);
    }

    /** The key's versionless identifier. */
    public String keyId() {
        return vault.keyId(keyName);
    }

    /** {@code DPS_KEY_VAULT_KEY_ID}, the platform's identity endpoint and the identity's client id. */
    public Map<String, String> settings() {
        return Map.of(Setting.KEY_VAULT_KEY_ID.key(), keyId(),
                ManagedIdentityTokens.IDENTITY_ENDPOINT, identity.endpoint().toString(),
                ManagedIdentityTokens.IDENTITY_HEADER, identity.identityHeader(),
                Setting.MANAGED_IDENTITY_CLIENT_ID.key(), CLIENT_ID);
    }

    public KeyVaultKeyEncryptionKey.Options options() {
        return new KeyVaultKeyEncryptionKey.Options(vault.httpClient(), Duration.ofSeconds(5), 1,
                Duration.ofMillis(200), true).withoutChallengeResourceVerification();
    }

    /** The identity's token source, as the application builds it from {@link #settings()}. */
    public ManagedIdentityTokenCredential credential() {
        return ManagedIdentityTokenCredential.fromSettings(AppSettings.of(settings()), Duration.ofSeconds(5))
                .orElseThrow();
    }

    @Override
    public void close() {
        vault.close();
        identity.close();
    }
}
