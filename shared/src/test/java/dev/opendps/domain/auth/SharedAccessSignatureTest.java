package dev.opendps.domain.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SharedAccessSignatureTest {
    private static final byte[] KEY = Base64.getDecoder().decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    private static final byte[] OTHER_KEY = Base64.getDecoder().decode("HxwdHhsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=");
    private static final String RAW_SR = "0ne00000A0A/registrations/dev1";
    private static final String SE = "1900000000";
    private static final Instant NOW = Instant.ofEpochSecond(1_899_999_000L);

    /** base64(HMAC-SHA256(key, stringToSign + "\n" + se)), computed independently of the class under test. */
    private static String signature(byte[] key, String stringToSign, String se) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return Base64.getEncoder().encodeToString(
                mac.doFinal((stringToSign + "\n" + se).getBytes(StandardCharsets.UTF_8)));
    }

    private static ProvisioningException rejection(String token) {
        try {
            SharedAccessSignature.parse(token);
        } catch (ProvisioningException e) {
            return e;
        }
        throw new AssertionError("expected the token to be rejected: " + token);
    }

    private static String upperEncoded(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String lowerEncodedSig(String base64) {
        return base64.replace("+", "%2b").replace("/", "%2f").replace("=", "%3d");
    }

    @Test
    void javaSdkTokenWithRawSrAndEmptySknVerifies() throws Exception {
        String token = "SharedAccessSignature sr=" + RAW_SR + "&sig=" + upperEncoded(signature(KEY, RAW_SR, SE))
                + "&se=" + SE + "&skn=";

        SharedAccessSignature sas = SharedAccessSignature.parse(token);

        assertThat(sas.isSignedBy(KEY)).isTrue();
        assertThat(sas.isSignedBy(OTHER_KEY)).isFalse();
        assertThat(sas.keyName()).isEmpty();
    }

    @Test
    void nodeSymmetricKeyTokenWithSknBeforeSeVerifies() throws Exception {
        String token = "SharedAccessSignature sr=" + RAW_SR + "&sig=" + upperEncoded(signature(KEY, RAW_SR, SE))
                + "&skn=registration&se=" + SE;

        SharedAccessSignature sas = SharedAccessSignature.parse(token);

        assertThat(sas.isSignedBy(KEY)).isTrue();
        assertThat(sas.isSignedBy(OTHER_KEY)).isFalse();
        assertThat(sas.keyName()).isEqualTo("registration");
    }

    @Test
    void cSdkTokenWithLowerCaseHexEncodingVerifies() throws Exception {
        String sr = "0ne00000A0A%2fregistrations%2fdev%3a1";
        String token = "SharedAccessSignature sr=" + sr + "&sig=" + lowerEncodedSig(signature(KEY, sr, SE))
                + "&se=" + SE + "&skn=registration";
        assertThat(token).contains("%3d");

        SharedAccessSignature sas = SharedAccessSignature.parse(token);

        assertThat(sas.resourceDecoded()).isEqualTo("0ne00000A0A/registrations/dev:1");
        assertThat(sas.isSignedBy(KEY)).isTrue();
        assertThat(sas.isSignedBy(OTHER_KEY)).isFalse();
    }

    @Test
    void pythonTokenWithUpperCaseHexAndNoSknVerifies() throws Exception {
        String sr = "0ne00000A0A%2Fregistrations%2Fdev1";
        String token = "SharedAccessSignature sr=" + sr + "&sig=" + upperEncoded(signature(KEY, sr, SE)) + "&se=" + SE;

        SharedAccessSignature sas = SharedAccessSignature.parse(token);

        assertThat(sas.keyName()).isNull();
        assertThat(sas.isSignedBy(KEY)).isTrue();
        assertThat(sas.isSignedBy(OTHER_KEY)).isFalse();
    }

    @Test
    void csharpTokenWithWebUtilityEncodingVerifies() throws Exception {
        String sr = "0ne00000A0A%2Fregistrations%2Fdev1";
        String token = "SharedAccessSignature sr=" + sr + "&sig=" + upperEncoded(signature(KEY, sr, SE))
                + "&se=" + SE + "&skn=registration";

        SharedAccessSignature sas = SharedAccessSignature.parse(token);

        assertThat(sas.isSignedBy(KEY)).isTrue();
        assertThat(sas.isSignedBy(OTHER_KEY)).isFalse();
    }

    @Test
    void serviceTokenWithRawHostAndPortVerifies() throws Exception {
        String sr = "localhost:8443";
        String token = "SharedAccessSignature sr=" + sr + "&sig=" + upperEncoded(signature(KEY, sr, SE))
                + "&skn=provisioningserviceowner&se=" + SE;

        SharedAccessSignature sas = SharedAccessSignature.parse(token);

        assertThat(sas.isSignedBy(KEY)).isTrue();
        assertThat(sas.keyName()).isEqualTo("provisioningserviceowner");
    }

    @Test
    void tokenSignedOverEncodedResourceButSentDecodedVerifies() throws Exception {
        String token = "SharedAccessSignature sr=" + RAW_SR
                + "&sig=" + upperEncoded(signature(KEY, "0ne00000a0a%2fregistrations%2fdev1", SE)) + "&se=" + SE;

        assertThat(SharedAccessSignature.parse(token).isSignedBy(KEY)).isTrue();
    }

    @Test
    void tokenSignedOverLowerCasedResourceVerifies() throws Exception {
        String token = "SharedAccessSignature sr=" + RAW_SR
                + "&sig=" + upperEncoded(signature(KEY, RAW_SR.toLowerCase(), SE)) + "&se=" + SE;

        assertThat(SharedAccessSignature.parse(token).isSignedBy(KEY)).isTrue();
    }

    @Test
    void tokenSignedOverEncodingThatKeepsApostropheVerifies() throws Exception {
        // encodeURIComponent leaves ' unencoded, WebUtility.UrlEncode encodes it.
        String token = "SharedAccessSignature sr=hub.example/devices/o%27neil"
                + "&sig=" + upperEncoded(signature(KEY, "hub.example%2Fdevices%2Fo'neil", SE)) + "&se=" + SE;

        assertThat(SharedAccessSignature.parse(token).isSignedBy(KEY)).isTrue();
    }

    @Test
    void tamperedExpiryFailsVerification() throws Exception {
        String token = "SharedAccessSignature sr=" + RAW_SR + "&sig=" + upperEncoded(signature(KEY, RAW_SR, SE))
                + "&se=1900000001";

        assertThat(SharedAccessSignature.parse(token).isSignedBy(KEY)).isFalse();
    }

    @Test
    void tamperedResourceFailsVerification() throws Exception {
        String token = "SharedAccessSignature sr=0ne00000A0A/registrations/dev2&sig="
                + upperEncoded(signature(KEY, RAW_SR, SE)) + "&se=" + SE;

        assertThat(SharedAccessSignature.parse(token).isSignedBy(KEY)).isFalse();
    }

    @Test
    void prefixAndFieldNamesAreCaseInsensitiveAndOrderIsFree() throws Exception {
        String token = "  sharedaccesssignature SE=" + SE + "&Skn=registration&SIG="
                + upperEncoded(signature(KEY, RAW_SR, SE)) + "&Sr=" + RAW_SR + "  ";

        SharedAccessSignature sas = SharedAccessSignature.parse(token);

        assertThat(sas.sr()).isEqualTo(RAW_SR);
        assertThat(sas.se()).isEqualTo(SE);
        assertThat(sas.isSignedBy(KEY)).isTrue();
    }

    @Test
    void unencodedSignatureWithPlusAndSlashVerifies() throws Exception {
        String sig = signature(KEY, RAW_SR, SE);
        String token = "SharedAccessSignature sr=" + RAW_SR + "&sig=" + sig + "&se=" + SE;

        assertThat(SharedAccessSignature.parse(token).isSignedBy(KEY)).isTrue();
    }

    @Test
    void urlSafeUnpaddedSignatureVerifies() throws Exception {
        String sig = signature(KEY, RAW_SR, SE).replace('+', '-').replace('/', '_').replace("=", "");
        String token = "SharedAccessSignature sr=" + RAW_SR + "&sig=" + sig + "&se=" + SE;

        assertThat(SharedAccessSignature.parse(token).isSignedBy(KEY)).isTrue();
    }

    @Test
    void emptyKeyNeverVerifies() throws Exception {
        String token = "SharedAccessSignature sr=" + RAW_SR + "&sig=" + upperEncoded(signature(KEY, RAW_SR, SE))
                + "&se=" + SE;

        assertThat(SharedAccessSignature.parse(token).isSignedBy(new byte[0])).isFalse();
    }

    @Test
    void expiryIsParsedFromSe() throws Exception {
        SharedAccessSignature sas = SharedAccessSignature.parse(SharedAccessSignature.sign(RAW_SR, KEY,
                Instant.ofEpochSecond(1_900_000_000L), null));

        assertThat(sas.expiry()).isEqualTo(Instant.ofEpochSecond(1_900_000_000L));
    }

    @Test
    void tokenIsExpiredOnlyAfterExpiryPlusSkew() {
        SharedAccessSignature sas = SharedAccessSignature.parse(
                SharedAccessSignature.sign(RAW_SR, KEY, Instant.ofEpochSecond(1_900_000_000L), null));
        Instant expiry = Instant.ofEpochSecond(1_900_000_000L);

        assertThat(sas.isExpired(expiry.minusSeconds(1), Duration.ZERO)).isFalse();
        assertThat(sas.isExpired(expiry, Duration.ZERO)).isTrue();
        assertThat(sas.isExpired(expiry.plusSeconds(60), Duration.ofMinutes(5))).isFalse();
        assertThat(sas.isExpired(expiry.plusSeconds(301), Duration.ofMinutes(5))).isTrue();
    }

    @Test
    void lifetimeBeyondMaximumIsDetected() {
        SharedAccessSignature sas = SharedAccessSignature.parse(
                SharedAccessSignature.sign(RAW_SR, KEY, NOW.plus(Duration.ofDays(2)), null));

        assertThat(sas.lifetimeExceeds(NOW, Duration.ofDays(1))).isTrue();
        assertThat(sas.lifetimeExceeds(NOW, Duration.ofDays(2))).isFalse();
        assertThat(sas.lifetimeExceeds(NOW, Duration.ofDays(3))).isFalse();
    }

    @Test
    void signProducesCanonicalLowerCaseEncodedToken() throws Exception {
        Instant expiry = Instant.ofEpochSecond(1_900_000_000L);
        String expectedSr = "0ne00000a0a%2fregistrations%2fdev1";
        String expectedSig = lowerEncodedSig(signature(KEY, expectedSr, "1900000000"));

        String token = SharedAccessSignature.sign(RAW_SR, KEY, expiry, "registration");

        assertThat(token).isEqualTo("SharedAccessSignature sr=" + expectedSr + "&sig=" + expectedSig
                + "&se=1900000000&skn=registration");
    }

    @Test
    void signOmitsSknWhenKeyNameIsNull() {
        String token = SharedAccessSignature.sign("hub.azure-devices.net", KEY, Instant.ofEpochSecond(1_900_000_000L),
                null);

        assertThat(token).startsWith("SharedAccessSignature sr=hub.azure-devices.net&sig=").endsWith("&se=1900000000")
                .doesNotContain("skn");
    }

    @Test
    void signedTokenVerifiesWithItsKeyOnly() {
        SharedAccessSignature sas = SharedAccessSignature.parse(
                SharedAccessSignature.sign(RAW_SR, KEY, NOW.plusSeconds(3600), "registration"));

        assertThat(sas.isSignedBy(KEY)).isTrue();
        assertThat(sas.isSignedBy(OTHER_KEY)).isFalse();
        assertThat(sas.resourceDecoded()).isEqualTo(RAW_SR.toLowerCase());
    }

    @Test
    void verificationIsSafeAcrossThreads() throws Exception {
        SharedAccessSignature a = SharedAccessSignature.parse(SharedAccessSignature.sign(RAW_SR, KEY, NOW, null));
        SharedAccessSignature b = SharedAccessSignature.parse(SharedAccessSignature.sign(RAW_SR, OTHER_KEY, NOW, null));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            Callable<Boolean> task = () -> {
                for (int i = 0; i < 500; i++) {
                    if (!a.isSignedBy(KEY) || a.isSignedBy(OTHER_KEY) || !b.isSignedBy(OTHER_KEY) || b.isSignedBy(KEY)) {
                        return false;
                    }
                }
                return true;
            };
            List<Future<Boolean>> results = pool.invokeAll(List.of(task, task, task, task, task, task, task, task));
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingFieldsAreRejectedWithoutEchoingTheToken() throws Exception {
        String sig = upperEncoded(signature(KEY, RAW_SR, SE));
        List<String> tokens = List.of(
                "SharedAccessSignature sig=" + sig + "&se=" + SE,
                "SharedAccessSignature sr=" + RAW_SR + "&se=" + SE,
                "SharedAccessSignature sr=" + RAW_SR + "&sig=" + sig,
                "SharedAccessSignature sr=&sig=" + sig + "&se=" + SE);
        for (String token : tokens) {
            ProvisioningException e = rejection(token);
            assertThat(e.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(e.getMessage()).doesNotContain(sig).doesNotContain(token);
        }
    }

    @Test
    void malformedTokensAreRejectedWithoutEchoingTheSignature() throws Exception {
        String sig = upperEncoded(signature(KEY, RAW_SR, SE));
        List<String> tokens = List.of(
                "Bearer " + sig,
                "SharedAccessSignature",
                "SharedAccessSignaturesr=" + RAW_SR + "&sig=" + sig + "&se=" + SE,
                "SharedAccessSignature sr=" + RAW_SR + "&sig=" + sig + "&se=tomorrow",
                "SharedAccessSignature sr=" + RAW_SR + "&sig=" + sig + "&se=-5",
                "SharedAccessSignature sr=" + RAW_SR + "&sig=" + sig + "&se=99999999999999999999",
                "SharedAccessSignature sr=" + RAW_SR + "&sig=not*base64&se=" + SE,
                "SharedAccessSignature sr=" + RAW_SR + "&sig=c2hvcnQ%3D&se=" + SE,
                "SharedAccessSignature sr=" + RAW_SR + "&sig=" + sig + "&sig=" + sig + "&se=" + SE,
                "SharedAccessSignature sr=" + RAW_SR + "%zz&sig=" + sig + "&se=" + SE,
                "SharedAccessSignature sr=" + RAW_SR + "&sig" + sig + "&se=" + SE);
        for (String token : tokens) {
            ProvisioningException e = rejection(token);
            assertThat(e.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(e.getMessage()).doesNotContain(sig).doesNotContain("base64&").doesNotContain(RAW_SR);
        }
    }

    @Test
    void nullHeaderIsUnauthorized() {
        assertThatThrownBy(() -> SharedAccessSignature.parse(null))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNAUTHORIZED));
    }

    @Test
    void toStringDoesNotRevealTheSignature() throws Exception {
        String rawSig = signature(KEY, RAW_SR, SE);
        SharedAccessSignature sas = SharedAccessSignature.parse(
                "SharedAccessSignature sr=" + RAW_SR + "&sig=" + rawSig + "&se=" + SE);

        assertThat(sas.toString()).doesNotContain(rawSig).doesNotContain(upperEncoded(rawSig));
    }

    @Test
    void decodeKeyReturnsTheKeyBytes() {
        assertThat(SharedAccessSignature.decodeKey(" " + Base64.getEncoder().encodeToString(KEY) + "\n"))
                .isEqualTo(KEY);
    }

    @Test
    void decodeKeyRejectsBadBase64WithoutEchoingIt() {
        String bad = "this-is-not*base64!";

        assertThatThrownBy(() -> SharedAccessSignature.decodeKey(bad))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_SYMMETRIC_KEY);
                    assertThat(e.getMessage()).doesNotContain(bad);
                });
    }

    @Test
    void decodeKeyRejectsEmptyKey() {
        assertThatThrownBy(() -> SharedAccessSignature.decodeKey(""))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_SYMMETRIC_KEY));
    }
}
