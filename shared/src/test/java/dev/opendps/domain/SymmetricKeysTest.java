package dev.opendps.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SymmetricKeysTest {
    private static final String GROUP_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private static String base64OfBytes(int n) {
        return Base64.getEncoder().encodeToString(new byte[n]);
    }

    private static void assertInvalidKey(String key) {
        assertThatThrownBy(() -> SymmetricKeys.validate(key))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_SYMMETRIC_KEY);
                    if (key != null && !key.isEmpty()) {
                        assertThat(e.getMessage()).doesNotContain(key);
                    }
                });
    }

    @Test
    void generatedKeyIsBase64Of32Bytes() {
        assertThat(Base64.getDecoder().decode(SymmetricKeys.generate())).hasSize(32);
    }

    @Test
    void generatedKeysDiffer() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            keys.add(SymmetricKeys.generate());
        }
        assertThat(keys).hasSize(100);
    }

    @Test
    void generatedKeyPassesValidation() {
        assertThatCode(() -> SymmetricKeys.validate(SymmetricKeys.generate())).doesNotThrowAnyException();
    }

    @Test
    void keysOf16And64BytesAreValid() {
        assertThatCode(() -> SymmetricKeys.validate(base64OfBytes(16))).doesNotThrowAnyException();
        assertThatCode(() -> SymmetricKeys.validate(base64OfBytes(64))).doesNotThrowAnyException();
    }

    @Test
    void keysOf15And65BytesAreInvalid() {
        assertInvalidKey(base64OfBytes(15));
        assertInvalidKey(base64OfBytes(65));
    }

    @Test
    void nonBase64KeyIsInvalidAndNotEchoed() {
        assertInvalidKey("not base64 at all, secret!");
    }

    @Test
    void emptyOrNullKeyIsInvalid() {
        assertInvalidKey("");
        assertInvalidKey(null);
    }

    @Test
    void derivedDeviceKeyMatchesKnownVector() {
        // python3: base64(hmac.new(b64decode(GROUP_KEY), b"device-001", sha256).digest())
        assertThat(SymmetricKeys.deriveDeviceKey(GROUP_KEY, "device-001"))
                .isEqualTo("BG0x/0mIbqnG9RWsosby2GxBOeYgRhXI9gnRqn2lxFI=");
    }

    @Test
    void derivedDeviceKeyMatchesIndependentHmac() throws Exception {
        String groupKey = SymmetricKeys.generate();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(groupKey), "HmacSHA256"));
        String expected = Base64.getEncoder().encodeToString(mac.doFinal("my-device:1".getBytes(StandardCharsets.UTF_8)));

        assertThat(SymmetricKeys.deriveDeviceKey(groupKey, "my-device:1")).isEqualTo(expected);
    }

    @Test
    void derivedKeyDiffersPerRegistrationId() {
        assertThat(SymmetricKeys.deriveDeviceKey(GROUP_KEY, "device-001"))
                .isNotEqualTo(SymmetricKeys.deriveDeviceKey(GROUP_KEY, "device-002"));
    }

    @Test
    void derivingFromBadGroupKeyIsInvalidSymmetricKey() {
        assertThatThrownBy(() -> SymmetricKeys.deriveDeviceKey("%%%", "device-001"))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_SYMMETRIC_KEY));
    }
}
