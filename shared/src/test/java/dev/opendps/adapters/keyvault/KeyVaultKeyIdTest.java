package dev.opendps.adapters.keyvault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyVaultKeyIdTest {
    @Test
    void aVersionlessIdentifierIsTheKeyWhateverItsVersion() {
        KeyVaultKeyId id = KeyVaultKeyId.parse("https://my-vault.vault.azure.net/keys/opendps-kek");

        assertThat(id.vaultUrl()).isEqualTo("https://my-vault.vault.azure.net");
        assertThat(id.name()).isEqualTo("opendps-kek");
        assertThat(id.pinned()).isFalse();
        assertThat(id.toString()).isEqualTo("https://my-vault.vault.azure.net/keys/opendps-kek");
    }

    @Test
    void oneNormalFormWhateverHowItIsWritten() {
        KeyVaultKeyId id = KeyVaultKeyId.parse(" https://My-Vault.Vault.Azure.NET:443/keys/opendps-kek/"
                + "0123456789abcdef0123456789abcdef/ ");

        assertThat(id.toString()).isEqualTo("https://my-vault.vault.azure.net/keys/opendps-kek/"
                + "0123456789abcdef0123456789abcdef");
        assertThat(id.pinned()).isTrue();
        assertThat(KeyVaultKeyId.parse("https://127.0.0.1:8443/keys/k").vaultUrl()).isEqualTo("https://127.0.0.1:8443");
    }

    @Test
    void whatIsNotAKeyIdentifierIsRefusedSayingWhatOneLooksLike() {
        for (String wrong : new String[] {"", "http://v.vault.azure.net/keys/k", "https://v.vault.azure.net/secrets/k",
                "https://v.vault.azure.net/keys", "https://v.vault.azure.net/keys/k/v/extra",
                "https://v.vault.azure.net/keys/k?api-version=7.5", "https://v.vault.azure.net/keys/bad_name",
                "https://user@v.vault.azure.net/keys/k", "not a url"}) {
            assertThatThrownBy(() -> KeyVaultKeyId.parse(wrong)).as(wrong).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> KeyVaultKeyId.parse("https://v.vault.azure.net/secrets/k"))
                .hasMessageContaining("https://<vault>.vault.azure.net/keys/<name>[/<version>]");
    }
}
