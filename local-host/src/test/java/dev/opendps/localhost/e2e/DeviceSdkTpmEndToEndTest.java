package dev.opendps.localhost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClient;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientRegistrationResult;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientStatus;
import com.microsoft.azure.sdk.iot.provisioning.device.ProvisioningDeviceClientTransportProtocol;
import com.microsoft.azure.sdk.iot.provisioning.security.SecurityProvider;
import com.microsoft.azure.sdk.iot.provisioning.security.hsm.SecurityProviderTPMHsm;
import com.microsoft.azure.sdk.iot.provisioning.service.ProvisioningServiceClient;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.IndividualEnrollment;
import com.microsoft.azure.sdk.iot.provisioning.service.configs.TpmAttestation;
import com.microsoft.azure.sdk.iot.provisioning.service.exceptions.ProvisioningServiceClientNotFoundException;
import dev.opendps.domain.HubDevice;
import dev.opendps.testing.Swtpm;
import dev.opendps.testing.SwtpmPlatformTpm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Java TPM provider ({@code tpm-provider} 2.0.1, {@code SecurityProviderTPMHsm}) registering
 * over HTTPS with swtpm as its TPM (dps-protocol.md §2.4): the 401 challenge, ActivateCredential + Import in
 * the TPM, the token signed with the imported key, and the second blob on assignment, whose key must be the
 * hub identity's. The provider always opens the platform TPM; {@code TpmFactory.platformTpm()} is pointed at
 * swtpm (local-components.md).
 */
class DeviceSdkTpmEndToEndTest {
    @TempDir
    static Path dataDir;

    static Swtpm swtpm;
    static SwtpmPlatformTpm platformTpm;
    static LocalStackFixture dps;
    static ProvisioningServiceClient service;

    @BeforeAll
    static void start() throws Exception {
        Swtpm.requireInstalled("tpm2_flushcontext");
        swtpm = Swtpm.start();
        platformTpm = SwtpmPlatformTpm.redirect(swtpm, dataDir);
        dps = new LocalStackFixture(dataDir);
        service = dps.serviceClient();
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
        return SwtpmPlatformTpm.device(registrationId, dps.trust);
    }

    private static ProvisioningDeviceClientRegistrationResult register(SecurityProvider device) throws Exception {
        ProvisioningDeviceClient client = ProvisioningDeviceClient.create(dps.globalEndpoint(), dps.instance.idScope(),
                ProvisioningDeviceClientTransportProtocol.HTTPS, device);
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
    void aTpmDeviceRegistersAndItsHubIdentityKeyIsTheKeyItsTpmImported() throws Exception {
        SecurityProviderTPMHsm device = tpmDevice("tpm-device-1");
        service.createOrUpdateIndividualEnrollment(new IndividualEnrollment("tpm-device-1",
                new TpmAttestation(base64(device.getEndorsementKey()))));

        ProvisioningDeviceClientRegistrationResult result = register(device);

        assertThat(result.getProvisioningDeviceClientStatus())
                .isEqualTo(ProvisioningDeviceClientStatus.PROVISIONING_DEVICE_STATUS_ASSIGNED);
        assertThat(result.getIothubUri()).isIn("local-hub-1.localhost", "local-hub-2.localhost");
        assertThat(result.getDeviceId()).isEqualTo("tpm-device-1");
        HubDevice identity = dps.hubDevice(result.getIothubUri(), "tpm-device-1").orElseThrow();
        assertThat(identity.authentication().type()).isEqualTo("sas");
        // The SDK imported the assigned result's blob: what the TPM signs now verifies with the hub identity's key.
        byte[] data = "hub-token-to-sign".getBytes(StandardCharsets.UTF_8);
        Mac hmac = Mac.getInstance("HmacSHA256");
        hmac.init(new SecretKeySpec(Base64.getDecoder().decode(identity.authentication().primaryKey()), "HmacSHA256"));
        assertThat(device.signWithIdentity(data)).isEqualTo(hmac.doFinal(data));
        assertThat(service.getDeviceRegistrationState("tpm-device-1").getAssignedHub()).isEqualTo(result.getIothubUri());

        ProvisioningDeviceClientRegistrationResult again = register(tpmDevice("tpm-device-1"));
        assertThat(again.getIothubUri()).as("re-registration keeps the hub").isEqualTo(result.getIothubUri());
    }

    @Test
    void theDefaultRegistrationIdDerivedFromTheEndorsementKeyIsAccepted() throws Exception {
        SecurityProviderTPMHsm device = new SecurityProviderTPMHsm() {
            @Override
            public SSLContext getSSLContext() {
                return dps.trust;
            }
        };
        String registrationId = device.getRegistrationId();
        assertThat(registrationId).matches("[a-z2-7]+");
        service.createOrUpdateIndividualEnrollment(new IndividualEnrollment(registrationId,
                new TpmAttestation(base64(device.getEndorsementKey()))));

        assertThat(register(device).getDeviceId()).isEqualTo(registrationId);
    }

    @Test
    void aDeviceWhoseEndorsementKeyIsNotTheEnrolledOneIsRefused() throws Exception {
        SecurityProviderTPMHsm device = tpmDevice("tpm-device-2");
        // The enrollment holds another TPM's EK (the SRK of this one, a well-formed RSA public area).
        service.createOrUpdateIndividualEnrollment(new IndividualEnrollment("tpm-device-2",
                new TpmAttestation(base64(device.getStorageRootKey()))));

        assertThatThrownBy(() -> register(device)).isNotNull();
        assertThatThrownBy(() -> service.getDeviceRegistrationState("tpm-device-2"))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);
    }

    @Test
    void anUnknownRegistrationIdIsRefused() throws Exception {
        // The Java SDK reads every 401 as a challenge and fails on one without a key (DeviceApiTest checks the body).
        assertThatThrownBy(() -> register(tpmDevice("tpm-nobody"))).isNotNull();
        assertThatThrownBy(() -> service.getDeviceRegistrationState("tpm-nobody"))
                .isInstanceOf(ProvisioningServiceClientNotFoundException.class);
    }
}
