package dev.opendps.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import dev.opendps.adapters.DocumentProtection;
import dev.opendps.adapters.cosmos.CosmosDatabase;
import dev.opendps.adapters.cosmos.CosmosInstanceStore;
import dev.opendps.config.AppSettings;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.port.StoreException;
import dev.opendps.domain.port.StoreUnavailableException;
import dev.opendps.service.InstanceBootstrap;
import dev.opendps.testing.CosmosTestServer;
import dev.opendps.testing.ManagedIdentityTestEndpoint;
import dev.opendps.testing.ManagedIdentityTestEndpoint.Request;
import java.nio.file.Path;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * {@code DPS_STORE=cosmos} without {@code DPS_COSMOS_KEY} signs in with the app's managed identity, against a
 * local account that, like the one infra/main.bicep deploys, has key authentication disabled and checks every
 * Microsoft Entra token ({@link CosmosTestServer#startAcceptingEntraTokensOnly}).
 */
class CosmosManagedIdentitySignInTest {
    private static final String CLIENT_ID = "0d8f3a52-6c1e-4b7a-9e21-5f4c3b2a1d00";
    /** The audience the Cosmos SDK asks for: the endpoint's origin (its scope, without {@code /.default}). */
    private static final String AUDIENCE = "http://127.0.0.1";

    private static ManagedIdentityTestEndpoint identity;
    private static CosmosTestServer cosmos;

    @TempDir
    Path dataDir;
    private Stores stores;

    @BeforeAll
    static void start() {
        identity = ManagedIdentityTestEndpoint.start(Clock.systemUTC());
        identity.addUserAssignedIdentity(CLIENT_ID);
        identity.issueFor(AUDIENCE);
        cosmos = CosmosTestServer.startAcceptingEntraTokensOnly(identity);
    }

    @AfterAll
    static void stop() {
        try {
            if (cosmos != null) {
                cosmos.close();
            }
        } finally {
            identity.close();
        }
    }

    @AfterEach
    void closeStores() throws Exception {
        identity.behave();
        if (stores != null) {
            stores.resources().close();
        }
    }

    private AppSettings settings(Map<String, String> more) {
        Map<String, String> values = new HashMap<>(Map.of("DPS_STORE", "cosmos",
                "DPS_COSMOS_ENDPOINT", cosmos.endpoint(), "DPS_HUB_REGISTRY", "embedded",
                "DPS_DATA_DIR", dataDir.toString(),
                "IDENTITY_ENDPOINT", identity.endpoint().toString(), "IDENTITY_HEADER", identity.identityHeader(),
                "DPS_MANAGED_IDENTITY_CLIENT_ID", CLIENT_ID));
        values.putAll(more);
        return AppSettings.of(values);
    }

    @Test
    void withoutAKeyTheStoresSignInWithTheUserAssignedIdentityAndWork() {
        int asked = identity.requests().size();
        stores = ProvisioningApplication.openStores(settings(Map.of()));

        ProvisioningInstance created = new InstanceBootstrap(stores.instances(), Clock.systemUTC())
                .ensure("mi.example.net", null);

        assertThat(stores.instances()).isInstanceOf(CosmosInstanceStore.class);
        assertThat(stores.instances().findByIdScope(created.idScope())).isPresent();
        assertThat(identity.requests().subList(asked, identity.requests().size())).isNotEmpty()
                .allSatisfy(request -> {
                    assertThat(request.identityHeaderMatched()).isTrue();
                    assertThat(request.query()).containsEntry("client_id", CLIENT_ID)
                            .containsEntry("resource", AUDIENCE);
                });
    }

    @Test
    void theFormerClientIdSettingStillNamesTheIdentity() {
        Map<String, String> values = new HashMap<>(Map.of("DPS_STORE", "cosmos",
                "DPS_COSMOS_ENDPOINT", cosmos.endpoint(), "DPS_HUB_REGISTRY", "embedded",
                "DPS_DATA_DIR", dataDir.toString(),
                "IDENTITY_ENDPOINT", identity.endpoint().toString(), "IDENTITY_HEADER", identity.identityHeader(),
                "DPS_HUB_MANAGED_IDENTITY_CLIENT_ID", CLIENT_ID));
        int asked = identity.requests().size();

        stores = ProvisioningApplication.openStores(AppSettings.of(values));

        assertThat(identity.requests().subList(asked, identity.requests().size()))
                .extracting(Request::query).allSatisfy(query -> assertThat(query).containsEntry("client_id", CLIENT_ID));
    }

    @Test
    void withoutAKeyOrAnIdentityTheMissingSettingsAreNamed() {
        AppSettings settings = AppSettings.of(Map.of("DPS_STORE", "cosmos", "DPS_COSMOS_ENDPOINT", cosmos.endpoint()));

        assertThatThrownBy(() -> ProvisioningApplication.openStores(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DPS_COSMOS_KEY").hasMessageContaining("IDENTITY_ENDPOINT");
    }

    @Test
    void anAccountWithKeyAuthenticationDisabledRefusesTheKey() {
        assertThatThrownBy(() -> CosmosDatabase.connect(cosmos.endpoint(), cosmos.key(), "opendps"))
                .isInstanceOf(StoreException.class).hasMessageContaining("status 401");
    }

    @Test
    void aTokenTheIdentityDidNotIssueIsRefused() {
        TokenCredential forged = request -> Mono.just(new AccessToken("forged-token",
                OffsetDateTime.now().plusHours(1)));

        assertThatThrownBy(() -> CosmosDatabase.connect(cosmos.endpoint(), forged, "opendps", DocumentProtection.NONE,
                CosmosDatabase.ThrottlingRetry.DEFAULT))
                .isInstanceOf(StoreException.class).hasMessageContaining("status 401");
    }

    @Test
    void anIdentityEndpointThatFailsAtStartMakesTheStoreUnavailable() {
        identity.failWith(503);

        assertThatThrownBy(() -> stores = ProvisioningApplication.openStores(settings(Map.of())))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("the identity endpoint answered 503");
    }

    @Test
    void anIdentityTheEndpointDoesNotKnowIsAFailureToFixNotAnOutage() {
        assertThatThrownBy(() -> stores = ProvisioningApplication.openStores(settings(Map.of(
                "DPS_MANAGED_IDENTITY_CLIENT_ID", "11111111-2222-3333-4444-555555555555"))))
                .isInstanceOf(StoreException.class).isNotInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("answered 400")
                .hasMessageContaining("11111111-2222-3333-4444-555555555555");
    }
}
