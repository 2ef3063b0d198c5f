package dev.opendps.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.exception.ResourceNotFoundException;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.KeyServiceVersion;
import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.CryptographyServiceVersion;
import com.azure.security.keyvault.keys.cryptography.models.KeyWrapAlgorithm;
import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import com.azure.security.keyvault.keys.models.KeyOperation;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Key Vault test server as the Azure SDK sees it, with the SDK's own clients: it must be right for the
 * adapter's tests to mean anything. Its RSA-OAEP-256 is checked against the JDK's, over the public key it
 * publishes (the SDK has no local RSA-OAEP-256 to compare with).
 */
class KeyVaultTestServerTest {
    private static KeyVaultTestBed bed;
    private static KeyClient keys;

    @BeforeAll
    static void start() {
        bed = KeyVaultTestBed.start("server-test");
        keys = new KeyClientBuilder().vaultUrl(bed.vault.vaultUrl()).credential(bed.credential())
                .httpClient(bed.vault.httpClient()).serviceVersion(KeyServiceVersion.V7_5)
                .disableChallengeResourceVerification().buildClient();
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    private static CryptographyClient remote(String keyId) {
        return new CryptographyClientBuilder().keyIdentifier(keyId).credential(bed.credential())
                .httpClient(bed.vault.httpClient()).serviceVersion(CryptographyServiceVersion.V7_5)
                .disableChallengeResourceVerification().disableKeyCaching().buildClient();
    }

    private static byte[] dataKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    @Test
    void theKeyReadsAsAKeyVaultRsaKeyWithItsVersionInItsId() {
        KeyVaultKey key = keys.getKey("server-test");

        assertThat(key.getId()).startsWith(bed.keyId() + "/").isEqualTo(bed.keyId() + "/"
                + key.getProperties().getVersion());
        assertThat(key.getKeyType().toString()).isEqualTo("RSA");
        assertThat(key.getKeyOperations()).containsExactly(KeyOperation.WRAP_KEY, KeyOperation.UNWRAP_KEY);
        assertThat(key.getProperties().isEnabled()).isTrue();
        assertThat(keys.getKey("server-test", key.getProperties().getVersion()).getId()).isEqualTo(key.getId());
    }

    /** RSA-OAEP-256 as JWA (RFC 7518 §4.3) defines it: OAEP with SHA-256 and MGF1 with SHA-256. */
    private static byte[] wrapWithPublishedKey(KeyVaultKey key, MGF1ParameterSpec mgf, byte[] dataKey)
            throws Exception {
        Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
        cipher.init(Cipher.ENCRYPT_MODE, key.getKey().toRsa().getPublic(),
                new OAEPParameterSpec("SHA-256", "MGF1", mgf, PSource.PSpecified.DEFAULT));
        return cipher.doFinal(dataKey);
    }

    @Test
    void whatIsWrappedWithThePublishedKeyAsJwaDefinesRsaOaep256TheServerUnwraps() throws Exception {
        KeyVaultKey key = keys.getKey("server-test");
        byte[] dataKey = dataKey();

        byte[] wrapped = wrapWithPublishedKey(key, MGF1ParameterSpec.SHA256, dataKey);

        assertThat(remote(key.getId()).unwrapKey(KeyWrapAlgorithm.RSA_OAEP_256, wrapped).getKey()).isEqualTo(dataKey);
    }

    @Test
    void aKeyWrappedWithMgf1Sha1DoesNotUnwrapAsRsaOaep256() throws Exception {
        KeyVaultKey key = keys.getKey("server-test");
        byte[] wrapped = wrapWithPublishedKey(key, MGF1ParameterSpec.SHA1, dataKey());

        assertThatThrownBy(() -> remote(key.getId()).unwrapKey(KeyWrapAlgorithm.RSA_OAEP_256, wrapped))
                .isInstanceOfSatisfying(HttpResponseException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(400))
                .hasMessageContaining("BadParameter");
    }

    @Test
    void whatTheServerWrapsUnwrapsWithTheSameServer() {
        KeyVaultKey key = keys.getKey("server-test");
        byte[] dataKey = dataKey();

        byte[] wrapped = remote(key.getId()).wrapKey(KeyWrapAlgorithm.RSA_OAEP_256, dataKey).getEncryptedKey();

        assertThat(wrapped).hasSize(256);
        assertThat(remote(key.getId()).unwrapKey(KeyWrapAlgorithm.RSA_OAEP_256, wrapped).getKey()).isEqualTo(dataKey);
    }

    @Test
    void createAddsAVersionAndAMissingKeyIsKeyNotFound() {
        KeyVaultKey created = keys.createRsaKey(new CreateRsaKeyOptions("made-by-sdk").setKeySize(2048));
        KeyVaultKey again = keys.createRsaKey(new CreateRsaKeyOptions("made-by-sdk").setKeySize(2048));

        assertThat(again.getProperties().getVersion()).isNotEqualTo(created.getProperties().getVersion());
        assertThat(keys.getKey("made-by-sdk").getId()).isEqualTo(again.getId());
        assertThatThrownBy(() -> keys.getKey("never-made")).isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("KeyNotFound");
    }

    @Test
    void aRequestWithoutAValidTokenIsChallenged() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(bed.vault.clientTls()).build();
        java.net.http.HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(bed.keyId() + "?api-version=7.5")).header("Authorization", "Bearer forged").GET()
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(challenge ->
                assertThat(challenge).contains("resource=\"https://vault.azure.net\"")
                        .contains("authorization=\"https://login.microsoftonline.com/"));
        assertThat(response.body()).contains("\"code\":\"Unauthorized\"");
    }
}
