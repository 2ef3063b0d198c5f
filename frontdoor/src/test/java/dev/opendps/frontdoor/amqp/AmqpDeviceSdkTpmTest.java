package dev.opendps.frontdoor.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.security.hsm.SecurityProviderTPMHsm;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.frontdoor.FrontDoorFixture;
import dev.opendps.frontdoor.SdkPorts;
import dev.opendps.testing.Swtpm;
import dev.opendps.testing.SwtpmPlatformTpm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Java TPM provider ({@code tpm-provider} 2.0.1) registering over AMQPS with swtpm as its TPM: the
 * SASL {@code TPM} exchange of dps-protocol.md §2.4 (EK in the init, SRK on the first challenge, the activation
 * blob in two segments, the token signed with the imported key), then the register, whose assigned result carries
 * the second blob. As in local-host's {@code DeviceSdkTpmEndToEndTest}, {@code TpmFactory.platformTpm()} is pointed
 * at swtpm. Refusals are {@code AmqpProtocolTest}'s: this SDK notices a TPM SASL outcome other than {@code ok} only
 * when its 60-second wait for the challenge ends.
 */
class AmqpDeviceSdkTpmTest {
    @TempDir
    static Path dataDir;

    static Swtpm swtpm;
    static SwtpmPlatformTpm platformTpm;
    static FrontDoorFixture dps;

    @BeforeAll
    static void start() throws Exception {
        Swtpm.requireInstalled("tpm2_flushcontext");
        swtpm = Swtpm.start();
        platformTpm = SwtpmPlatformTpm.redirect(swtpm, dataDir);
        dps = SdkPorts.start(dataDir, 0, SdkPorts.AMQPS, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (dps != null) {
            dps.close();
        }
        if (platformTpm != null) {
            platformTpm.close();
        }
        if (swtpm != null) {
            swtpm.close();
        }
    }

    private static SecurityProviderTPMHsm tpmDevice(String registrationId) throws Exception {
        return SwtpmPlatformTpm.device(registrationId, dps.clientSslContext());
    }

    private static ProvisioningDeviceClientRegistrationResult register(SecurityProviderTPMHsm device)
            throws Exception {
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create(FrontDoorFixture.HOST, dps.idScope(),
                ProvisioningDeviceClientTransportProtocol.AMQPS, device);
        try {
            return client.registerDeviceSync();
        } finally {
            client.close();
        }
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Test
    void aTpmDeviceRegistersOverAmqpsAndItsHubKeyIsTheKeyItsTpmImported() throws Exception {
        SecurityProviderTPMHsm device = tpmDevice("sdk-amqp-tpm-1");
        dps.enrollTpm("sdk-amqp-tpm-1", base64(device.getEndorsementKey()));

        ProvisioningDeviceClientRegistrationResult result = register(device);

        assertThat(result.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(result.getDeviceId()).isEqualTo("sdk-amqp-tpm-1");
        DeviceRegistrationState stored = dps.registration("sdk-amqp-tpm-1").orElseThrow();
        assertThat(stored.assignedHub()).isEqualTo(result.getIothubUri()).isNotBlank();
        assertThat(stored.attestationType()).isEqualTo("tpm");
        // The SDK imported the assigned result's blob: what its TPM signs now verifies with the hub identity's key.
        HubDevice identity = dps.application.stores().hubs()
                .find(new LinkedHub(result.getIothubUri(), 1, true, null), "sdk-amqp-tpm-1").orElseThrow();
        byte[] data = "hub-token-to-sign".getBytes(StandardCharsets.UTF_8);
        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(Base64.getDecoder().decode(identity.authentication().primaryKey()), "HmacSHA256"));
        assertThat(device.signWithIdentity(data)).isEqualTo(hmac.doFinal(data));

        ProvisioningDeviceClientRegistrationResult again = register(tpmDevice("sdk-amqp-tpm-1"));
        assertThat(again.getIothubUri()).as("re-registration keeps the hub").isEqualTo(result.getIothubUri());
    }
}
