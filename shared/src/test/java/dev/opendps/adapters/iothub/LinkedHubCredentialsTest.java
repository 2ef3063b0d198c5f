package dev.opendps.adapters.iothub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.LinkedHub;
import dev.opendps.service.LinkedHubSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which credentials a linked hub gets, from how it is configured. */
class LinkedHubCredentialsTest {
    private static final String KEYED = "HostName=hub-1.azure-devices.net;SharedAccessKeyName=iothubowner;"
            + "SharedAccessKey=bm90LWEta2V5";
    private final LinkedHubCredentials credentials =
            new LinkedHubCredentials(hub -> "sas for " + hub.hostName(), hub -> "bearer for " + hub.hostName());
    private final LinkedHubCredentials withoutIdentity =
            new LinkedHubCredentials(hub -> "sas for " + hub.hostName(), null);

    private static LinkedHub hub(String connectionString) {
        return new LinkedHub("hub-1.azure-devices.net", 1, true, connectionString);
    }

    @Test
    void aHubWithAKeyGetsASas() {
        assertThat(credentials.authorization(hub(KEYED))).isEqualTo("sas for hub-1.azure-devices.net");
        assertThat(credentials.authorization(hub(KEYED + ";AuthenticationType=SharedAccessKey")))
                .startsWith("sas for");
    }

    @Test
    void aHubWithoutAKeyGetsTheManagedIdentity() {
        assertThat(credentials.authorization(hub("HostName=hub-1.azure-devices.net")))
                .isEqualTo("bearer for hub-1.azure-devices.net");
        assertThat(credentials.authorization(hub(null))).startsWith("bearer for");
        assertThat(credentials.authorization(hub("HostName=hub-1.azure-devices.net;AuthenticationType=managedidentity")))
                .startsWith("bearer for");
    }

    @Test
    void anExplicitManagedIdentityWinsOverAKey() {
        assertThat(credentials.authorization(hub(KEYED + ";AuthenticationType=ManagedIdentity")))
                .startsWith("bearer for");
    }

    @Test
    void aKeyNameWithoutAKeyIsAnIncompleteConnectionStringNotAManagedIdentity() {
        LinkedHubCredentials realSas = new LinkedHubCredentials(new ConnectionStringCredentials(), hub -> "bearer");

        assertThatThrownBy(() -> realSas.authorization(
                hub("HostName=hub-1.azure-devices.net;SharedAccessKeyName=iothubowner")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no SharedAccessKey");
    }

    @Test
    void anUnknownAuthenticationTypeIsRefused() {
        assertThatThrownBy(() -> credentials.authorization(
                hub("HostName=hub-1.azure-devices.net;AuthenticationType=Certificate")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AuthenticationType must be ManagedIdentity or SharedAccessKey");
    }

    @Test
    void aHubWithoutAKeyOnAHostWithoutManagedIdentityIsRefusedSayingWhy() {
        assertThat(withoutIdentity.authorization(hub(KEYED))).startsWith("sas for");
        assertThatThrownBy(() -> withoutIdentity.authorization(hub("HostName=hub-1.azure-devices.net")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hub-1.azure-devices.net")
                .hasMessageContaining("IDENTITY_ENDPOINT");
    }

    @Test
    void linkedHubSettingsTakeEntriesWithoutAKey() {
        List<LinkedHub> hubs = LinkedHubSettings.parse("HostName=hub-1.azure-devices.net;AllocationWeight=3, "
                + "HostName=hub-2.azure-devices.net;AuthenticationType=ManagedIdentity;ApplyAllocationPolicy=false, "
                + KEYED.replace("hub-1", "hub-3"));

        assertThat(hubs).extracting(LinkedHub::hostName)
                .containsExactly("hub-1.azure-devices.net", "hub-2.azure-devices.net", "hub-3.azure-devices.net");
        assertThat(hubs.get(0).allocationWeight()).isEqualTo(3);
        assertThat(hubs.get(1).applyAllocationPolicy()).isFalse();
        assertThat(hubs).extracting(hub -> credentials.authorization(hub)).containsExactly(
                "bearer for hub-1.azure-devices.net", "bearer for hub-2.azure-devices.net",
                "sas for hub-3.azure-devices.net");
    }
}
