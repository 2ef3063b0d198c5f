package dev.opendps.adapters.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.adapters.keys.LocalKeyFile;
import dev.opendps.domain.port.SecretProtectionException;
import dev.opendps.wire.Json;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretEnvelopeTest {
    private static final String SECRET = "c2VjcmV0LWtleS1vZi1hLWRldmljZS0wMTIzNDU2Nzg5";
    private static final String FIELD = "attestation.symmetricKey.primaryKey";

    @TempDir
    Path dataDir;

    LocalKeyFile keyFile;
    CountingKek kek;
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    SecretEnvelope envelope;

    @BeforeEach
    void open() {
        keyFile = LocalKeyFile.openOrCreate(dataDir.resolve("keys/kek.json"));
        kek = new CountingKek(keyFile);
        envelope = new SecretEnvelope(kek, clock, Duration.ofMinutes(5), 4);
    }

    @Test
    void aSealedSecretNamesItsFormatKeyVersionAndWrappedDataKeyAndOpensToTheSecret() {
        ObjectNode sealed = envelope.seal(SECRET, FIELD);

        assertThat(sealed.fieldNames()).toIterable().containsExactly("enc", "kek", "dk", "iv", "ct");
        assertThat(sealed.get("enc").asText()).isEqualTo("v1");
        assertThat(sealed.get("kek").asText()).isEqualTo("local:1");
        assertThat(Json.string(sealed)).doesNotContain(SECRET);
        assertThat(envelope.open(sealed, FIELD)).isEqualTo(SECRET);
    }

    @Test
    void oneDataKeySealsManySecretsSoTheKekIsNotOnTheWritePath() {
        ObjectNode first = envelope.seal(SECRET, FIELD);
        ObjectNode second = envelope.seal(SECRET, FIELD);

        assertThat(kek.wraps).hasValue(1);
        assertThat(second.get("dk")).isEqualTo(first.get("dk"));
        assertThat(second.get("iv")).isNotEqualTo(first.get("iv"));
        assertThat(second.get("ct")).isNotEqualTo(first.get("ct"));
    }

    @Test
    void anUnwrappedDataKeyIsKeptForReadingLongerThanItSeals() {
        SecretEnvelope writer = new SecretEnvelope(keyFile);
        ObjectNode sealed = writer.seal(SECRET, FIELD); // another process's data key
        SecretEnvelope reader = new SecretEnvelope(kek, clock, Duration.ofMinutes(5), Duration.ofHours(1), 4);

        reader.open(sealed, FIELD);
        clock.advance(Duration.ofMinutes(50));
        reader.open(sealed, FIELD);

        assertThat(kek.unwraps).hasValue(1);
        clock.advance(Duration.ofMinutes(11));
        reader.open(sealed, FIELD);
        assertThat(kek.unwraps).hasValue(2);
    }

    @Test
    void aDataKeyIsReplacedAfterItsLifetime() {
        ObjectNode first = envelope.seal(SECRET, FIELD);
        clock.advance(Duration.ofMinutes(6));

        ObjectNode second = envelope.seal(SECRET, FIELD);

        assertThat(kek.wraps).hasValue(2);
        assertThat(second.get("dk")).isNotEqualTo(first.get("dk"));
        assertThat(envelope.open(first, FIELD)).isEqualTo(SECRET);
    }

    @Test
    void unwrappedDataKeysAreCachedForABoundedTime() {
        ObjectNode sealed = new SecretEnvelope(keyFile).seal(SECRET, FIELD); // a data key this envelope never saw

        envelope.open(sealed, FIELD);
        envelope.open(sealed, FIELD);
        assertThat(kek.unwraps).hasValue(1);

        clock.advance(Duration.ofMinutes(6));
        envelope.open(sealed, FIELD);
        assertThat(kek.unwraps).hasValue(2);
    }

    @Test
    void theCacheOfUnwrappedDataKeysIsBoundedInSize() {
        for (int i = 0; i < 10; i++) {
            envelope.open(new SecretEnvelope(keyFile).seal(SECRET, FIELD), FIELD);
        }

        assertThat(envelope.cachedDataKeys()).isEqualTo(4);
    }

    @Test
    void afterRotationNewSecretsUseTheNewVersionAndOldOnesStillOpen() {
        ObjectNode old = envelope.seal(SECRET, FIELD);

        keyFile.rotate();
        ObjectNode fresh = envelope.seal(SECRET, FIELD);

        assertThat(fresh.get("kek").asText()).isEqualTo("local:2");
        assertThat(fresh.get("dk")).isNotEqualTo(old.get("dk"));
        SecretEnvelope restarted = new SecretEnvelope(LocalKeyFile.openOrCreate(keyFile.file()));
        assertThat(restarted.open(old, FIELD)).isEqualTo(SECRET);
        assertThat(restarted.open(fresh, FIELD)).isEqualTo(SECRET);
    }

    @Test
    void alteredCiphertextIsAClearErrorNotAWrongSecret() {
        ObjectNode sealed = envelope.seal(SECRET, FIELD);
        byte[] ciphertext = Base64.getDecoder().decode(sealed.get("ct").asText());
        ciphertext[0] ^= 1;
        sealed.put("ct", Base64.getEncoder().encodeToString(ciphertext));

        assertThatThrownBy(() -> envelope.open(sealed, FIELD))
                .isInstanceOf(SecretProtectionException.class)
                .hasMessageContaining(FIELD)
                .hasMessageContaining("failed authentication");
    }

    @Test
    void anAlteredWrappedDataKeyIsAClearError() {
        ObjectNode sealed = new SecretEnvelope(keyFile).seal(SECRET, FIELD);
        byte[] wrapped = Base64.getDecoder().decode(sealed.get("dk").asText());
        wrapped[3] ^= 1;
        sealed.put("dk", Base64.getEncoder().encodeToString(wrapped));

        assertThatThrownBy(() -> envelope.open(sealed, FIELD))
                .isInstanceOf(SecretProtectionException.class)
                .hasMessageContaining("integrity check");
    }

    @Test
    void aSecretMovedToAnotherFieldDoesNotOpen() {
        ObjectNode primary = envelope.seal(SECRET, FIELD);

        assertThatThrownBy(() -> envelope.open(primary, "attestation.symmetricKey.secondaryKey"))
                .isInstanceOf(SecretProtectionException.class);
    }

    @Test
    void anUnknownFormatIsRefused() {
        ObjectNode sealed = envelope.seal(SECRET, FIELD);
        sealed.put("enc", "v9");

        assertThatThrownBy(() -> envelope.open(sealed, FIELD))
                .isInstanceOf(SecretProtectionException.class)
                .hasMessageContaining("unknown format 'v9'");
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
