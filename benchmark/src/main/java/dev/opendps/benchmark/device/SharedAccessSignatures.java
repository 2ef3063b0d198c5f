package dev.opendps.benchmark.device;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * SAS tokens as the SDKs sign them (dps-protocol.md §2.1 for devices, §4.1 for the service API), and
 * group-derived device keys. One {@link Mac} per thread: signing runs on every simulated registration.
 */
public final class SharedAccessSignatures {

    private static final ThreadLocal<Mac> HMAC_SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    });

    private SharedAccessSignatures() {
    }

    /**
     * A device's token: {@code sr} raw (as the Java and Node SDKs send it), signed with the device key,
     * {@code skn=registration}.
     */
    public static String device(String idScope, String registrationId, byte[] deviceKey, long expiresEpochSecond) {
        String resource = idScope + "/registrations/" + registrationId;
        String expiry = Long.toString(expiresEpochSecond);
        return "SharedAccessSignature sr=" + resource + "&sig=" + urlEncode(sign(deviceKey, resource + "\n" + expiry))
                + "&se=" + expiry + "&skn=registration";
    }

    /** A service API token for the instance host name, signed with a shared access policy key. */
    public static String service(String hostName, String policyName, byte[] policyKey, long expiresEpochSecond) {
        String resource = urlEncode(hostName);
        String expiry = Long.toString(expiresEpochSecond);
        return "SharedAccessSignature sr=" + resource + "&sig=" + urlEncode(sign(policyKey, resource + "\n" + expiry))
                + "&se=" + expiry + "&skn=" + urlEncode(policyName);
    }

    /**
     * The raw key of a device in a symmetric-key group: the device key is
     * {@code base64(HMAC-SHA256(groupKey, registrationId))}, and tokens are signed with its decoded bytes,
     * which are the HMAC itself.
     */
    public static byte[] derivedDeviceKey(byte[] groupKey, String registrationId) {
        return hmac(groupKey, registrationId.getBytes(StandardCharsets.UTF_8));
    }

    private static String sign(byte[] key, String stringToSign) {
        return Base64.getEncoder().encodeToString(hmac(key, stringToSign.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        Mac mac = HMAC_SHA256.get();
        try {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Unusable HMAC key", e);
        }
        return mac.doFinal(message);
    }

    private static String urlEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
