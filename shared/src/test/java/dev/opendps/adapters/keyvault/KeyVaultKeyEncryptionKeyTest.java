package dev.opendps.adapters.keyvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.adapters.identity.ManagedIdentityTokenCredential;
import dev.opendps.adapters.identity.ManagedIdentityTokens;
import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.domain.port.SecretProtectionException;
import dev.opendps.domain.port.StoreUnavailableException;
import dev.opendps.testing.KeyVaultTestBed;
import dev.opendps.testing.KeyVaultTestServer;
import dev.opendps.testing.LogCapture;
import dev.opendps.testing.ManagedIdentityTestEndpoint;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Key Vault key-encryption key against the project's Key Vault test server: what is particular to Key Vault. */
class KeyVaultKeyEncryptionKeyTest {
    private static final byte[] DATA_KEY = new byte[32];

    private KeyVaultTestBed bed;

    @BeforeEach
    void start() {
        bed = KeyVaultTestBed.start("dps-kek");
    }

    @AfterEach
    void stop() {
        bed.close();
    }

    private KeyVaultKeyEncryptionKey connect(String keyId) {
        return KeyVaultKeyEncryptionKey.connect(KeyVaultKeyId.parse(keyId), bed.credential(), bed.options());
    }

    private KeyVaultKeyEncryptionKey connect() {
        return connect(bed.keyId());
    }

    @Test
    void signsInAfterTheBearerChallengeWithTheUserAssignedIdentitysTokenForKeyVault() {
        KeyVaultKeyEncryptionKey kek = connect();
        kek.unwrap(kek.currentVersion(), kek.wrap(DATA_KEY).wrapped());

        List<KeyVaultTestServer.Request> requests = bed.vault.requests();
        assertThat(requests).isNotEmpty();
        // The first request is challenged (the SDK sends it without a token) and sent again with one.
        assertThat(requests.get(0)).isEqualTo(requests.get(1));
        List<ManagedIdentityTestEndpoint.Request> asked = bed.identity.requests();
        assertThat(asked).isNotEmpty().allSatisfy(request -> {
            assertThat(request.identityHeaderMatched()).isTrue();
            assertThat(request.query()).containsEntry("resource", KeyVaultTestServer.RESOURCE)
                    .containsEntry("client_id", KeyVaultTestBed.CLIENT_ID);
        });
    }

    @Test
    void wrapsAndUnwrapsInTheVaultNotWithALocalCopyOfThePublicKey() {
        KeyVaultKeyEncryptionKey kek = connect();

        KeyEncryptionKey.WrappedKey wrapped = kek.wrap(DATA_KEY);
        kek.unwrap(wrapped.version(), wrapped.wrapped());

        assertThat(bed.vault.count("wrapkey")).isEqualTo(1);
        assertThat(bed.vault.count("unwrapkey")).isEqualTo(1);
        assertThat(wrapped.version()).isEqualTo(KeyVaultKeyEncryptionKey.PREFIX + bed.keyId() + "/"
                + kek.currentVersion().substring(kek.currentVersion().lastIndexOf('/') + 1));
        assertThat(wrapped.wrapped()).hasSize(256); // RSA 2048
    }

    @Test
    void aVersionlessKeyFollowsARotationMadeInKeyVault() throws Exception {
        KeyVaultKeyEncryptionKey kek = connect();
        KeyEncryptionKey.WrappedKey before = kek.wrap(DATA_KEY);

        String rotated = bed.vault.rotate(bed.keyName);
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (!kek.currentVersion().endsWith("/" + rotated) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        assertThat(kek.currentVersion()).endsWith("/" + rotated);
        assertThat(kek.wrap(DATA_KEY).version()).endsWith("/" + rotated);
        assertThat(kek.unwrap(before.version(), before.wrapped())).isEqualTo(DATA_KEY);
        assertThat(kek.description()).isEqualTo("Key Vault key " + bed.keyId() + " (current version " + rotated + ")");
    }

    @Test
    void aPinnedVersionStaysCurrentAndIsNotRotatedFromHere() throws Exception {
        String first = connect().currentVersion();
        String pinnedVersion = first.substring(first.lastIndexOf('/') + 1);
        KeyVaultKeyEncryptionKey pinned = connect(bed.keyId() + "/" + pinnedVersion);

        String rotated = bed.vault.rotate(bed.keyName);
        Thread.sleep(400); // past the refresh interval a versionless key would follow

        assertThat(pinned.currentVersion()).isEqualTo(first);
        assertThat(pinned.wrap(DATA_KEY).version()).isEqualTo(first);
        assertThat(pinned.description()).isEqualTo("Key Vault key " + bed.keyId() + "/" + pinnedVersion);
        assertThatThrownBy(pinned::rotate).isInstanceOf(IllegalStateException.class).hasMessageContaining("pinned");
        // Other versions of the same key still unwrap (what was wrapped before pinning, or after).
        KeyEncryptionKey.WrappedKey underRotated = connect().wrap(DATA_KEY);
        assertThat(underRotated.version()).endsWith("/" + rotated);
        assertThat(pinned.unwrap(underRotated.version(), underRotated.wrapped())).isEqualTo(DATA_KEY);
    }

    @Test
    void aVersionOfAnotherKeyOrVaultIsRefusedWithoutAskingKeyVault() {
        KeyVaultKeyEncryptionKey kek = connect();
        byte[] wrapped = kek.wrap(DATA_KEY).wrapped();
        int requests = bed.vault.requests().size();

        for (String foreign : List.of(
                KeyVaultKeyEncryptionKey.PREFIX + "https://attacker.example/keys/dps-kek/0123456789abcdef",
                KeyVaultKeyEncryptionKey.PREFIX + bed.vault.keyId("other-key") + "/0123456789abcdef",
                KeyVaultKeyEncryptionKey.PREFIX + bed.keyId() + "/../../secrets/x",
                KeyVaultKeyEncryptionKey.PREFIX + bed.keyId() + "/",
                "local:1")) {
            assertThatThrownBy(() -> kek.unwrap(foreign, wrapped)).as(foreign)
                    .isInstanceOf(SecretProtectionException.class);
        }
        assertThat(bed.vault.requests()).hasSize(requests);
    }

    @Test
    void anUnavailableOrThrottlingVaultIsAStoreUnavailableFailureThatNamesNoToken() {
        KeyVaultKeyEncryptionKey kek = connect();
        KeyEncryptionKey.WrappedKey wrapped = kek.wrap(DATA_KEY);
        try (LogCapture logs = LogCapture.of(KeyVaultKeyEncryptionKey.class)) {
            for (int status : new int[] {503, 429, 500}) {
                bed.vault.failWith(status);
                KeyVaultKeyEncryptionKey fresh = connectOrNull();
                assertThat(fresh).as("start-up with Key Vault answering " + status).isNull();
                assertThatThrownBy(() -> kek.wrap(DATA_KEY)).as("wrap, " + status)
                        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining(String.valueOf(status));
                assertThatThrownBy(() -> kek.unwrap(wrapped.version(), wrapped.wrapped())).as("unwrap, " + status)
                        .isInstanceOf(StoreUnavailableException.class).hasMessageContaining(String.valueOf(status));
            }
            bed.vault.behave();
            assertThat(kek.unwrap(wrapped.version(), wrapped.wrapped())).isEqualTo(DATA_KEY);
            assertThat(logs.lines()).isNotEmpty().noneMatch(line -> line.contains("mi-token-"));
        }
    }

    private KeyVaultKeyEncryptionKey connectOrNull() {
        try {
            return connect();
        } catch (KeyVaultSetupException expected) {
            assertThat(expected).hasMessageContaining("Could not read the Key Vault key " + bed.keyId());
            return null;
        }
    }

    @Test
    void aRefusalAtRunTimeIsUnavailableAndSaysWhichRoleIsMissing() {
        KeyVaultKeyEncryptionKey kek = connect();
        bed.vault.failWith(403);

        assertThatThrownBy(() -> kek.wrap(DATA_KEY)).isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("403").hasMessageContaining("Key Vault Crypto User");
    }

    @Test
    void aDisabledVersionNoLongerUnwrapsButIsNoSecretFailure() {
        KeyVaultKeyEncryptionKey kek = connect();
        KeyEncryptionKey.WrappedKey wrapped = kek.wrap(DATA_KEY);
        String version = wrapped.version().substring(wrapped.version().lastIndexOf('/') + 1);

        bed.vault.disable(bed.keyName, version);

        // Re-enabling the version in Key Vault brings the secrets back: unavailable, not lost.
        assertThatThrownBy(() -> kek.unwrap(wrapped.version(), wrapped.wrapped()))
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("403");
    }

    @Test
    void startUpFailsClearlyForAMissingKey() {
        assertThatThrownBy(() -> connect(bed.vault.keyId("no-such-key")))
                .isInstanceOf(KeyVaultSetupException.class)
                .hasMessageContaining("no-such-key").hasMessageContaining("404")
                .hasMessageContaining("DPS_KEY_VAULT_KEY_ID");
    }

    @Test
    void startUpFailsClearlyForAKeyThatCannotWrap() {
        bed.vault.addVersion("ec-key", "EC", List.of("sign", "verify"));
        bed.vault.addVersion("sign-only", "RSA", List.of("sign", "verify"));

        assertThatThrownBy(() -> connect(bed.vault.keyId("ec-key"))).isInstanceOf(KeyVaultSetupException.class)
                .hasMessageContaining("RSA-OAEP-256 needs an RSA key");
        assertThatThrownBy(() -> connect(bed.vault.keyId("sign-only"))).isInstanceOf(KeyVaultSetupException.class)
                .hasMessageContaining("do not include wrapKey and unwrapKey");
    }

    @Test
    void startUpFailsClearlyWhenTheIdentityIsRefused() {
        ManagedIdentityTokenCredential unknownIdentity = new ManagedIdentityTokenCredential(new ManagedIdentityTokens(
                bed.identity.endpoint(), bed.identity.identityHeader(), UUID.randomUUID().toString(),
                HttpClient.newHttpClient(), Clock.systemUTC(), Duration.ofSeconds(5)));

        assertThatThrownBy(() -> KeyVaultKeyEncryptionKey.connect(KeyVaultKeyId.parse(bed.keyId()), unknownIdentity,
                bed.options())).isInstanceOf(KeyVaultSetupException.class)
                .hasMessageContaining("the user-assigned managed identity")
                .hasMessageContaining("answered 400")
                .hasMessageContaining("DPS_MANAGED_IDENTITY_CLIENT_ID")
                .hasMessageNotContaining(bed.identity.identityHeader());
    }

    @Test
    void startUpFailsClearlyWhenTheVaultCannotBeReached() {
        String keyId = bed.keyId();
        bed.vault.close();

        assertThatThrownBy(() -> connect(keyId)).isInstanceOf(KeyVaultSetupException.class)
                .hasMessageContaining("could not be reached");
    }

    @Test
    void rotatingFromHereMakesANewCurrentVersion() {
        KeyVaultKeyEncryptionKey kek = connect();
        String before = kek.currentVersion();

        String rotated = kek.rotate();

        assertThat(rotated).isNotEqualTo(before).startsWith(KeyVaultKeyEncryptionKey.PREFIX + bed.keyId() + "/");
        assertThat(bed.vault.requests()).contains(new KeyVaultTestServer.Request("POST",
                "/keys/" + bed.keyName + "/rotate"));
    }

    @Test
    void rotatingWithoutTheCryptoOfficerRoleSaysHowElseToRotate() {
        KeyVaultKeyEncryptionKey kek = connect();
        bed.vault.failWith(403);

        assertThatThrownBy(kek::rotate).isInstanceOf(KeyVaultSetupException.class)
                .hasMessageContaining("Crypto Officer").hasMessageContaining("az keyvault key rotate");
    }
}
