package dev.opendps.adapters.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import dev.opendps.adapters.identity.ManagedIdentityTokenCredential;
import dev.opendps.adapters.identity.ManagedIdentityTokens;
import dev.opendps.domain.port.StoreException;
import dev.opendps.domain.port.StoreUnavailableException;
import dev.opendps.testing.ManagedIdentityTestEndpoint;
import dev.opendps.testing.ManagedIdentityTestEndpoint.Request;
import dev.opendps.testing.MovableClock;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Cosmos DB client's credential over the app's managed identity. The SDK passes a credential's failure
 * through unchanged (while the account keeps answering), so what it throws is what the stores throw.
 */
class ManagedIdentitySignInTest {
    private static final String ACCOUNT = "https://opendps-test.documents.azure.com";
    private static final String CLIENT_ID = "3c9e1f7a-2b4d-4e6f-8a0c-1d2e3f4a5b6c";

    private final MovableClock clock = new MovableClock(Instant.parse("2024-05-06T07:00:00Z"));
    private ManagedIdentityTestEndpoint endpoint;

    @BeforeEach
    void startEndpoint() {
        endpoint = ManagedIdentityTestEndpoint.start(clock);
        endpoint.issueFor(ACCOUNT);
        endpoint.addUserAssignedIdentity(CLIENT_ID);
    }

    @AfterEach
    void stopEndpoint() {
        endpoint.close();
    }

    private ManagedIdentitySignIn signIn(String clientId) {
        return new ManagedIdentitySignIn(new ManagedIdentityTokenCredential(new ManagedIdentityTokens(
                endpoint.endpoint(), endpoint.identityHeader(), clientId, HttpClient.newHttpClient(), clock,
                Duration.ofSeconds(5))));
    }

    private static TokenRequestContext scope(String scope) {
        return new TokenRequestContext().addScopes(scope);
    }

    @Test
    void theAccountScopeIsAskedForAsItsResourceAndTheTokenExpiresWhenTheEndpointSaid() {
        AccessToken token = signIn(CLIENT_ID).getToken(scope(ACCOUNT + "/.default")).block();

        assertThat(endpoint.isValid(token.getToken())).isTrue();
        assertThat(endpoint.resourceOf(token.getToken())).isEqualTo(ACCOUNT);
        assertThat(endpoint.identityOf(token.getToken())).isEqualTo(CLIENT_ID);
        assertThat(token.getExpiresAt().toInstant()).isEqualTo(clock.instant().plus(Duration.ofHours(24)));
        assertThat(endpoint.requests()).singleElement().extracting(Request::query)
                .satisfies(query -> assertThat(query).containsEntry("resource", ACCOUNT));
    }

    @Test
    void aFailingIdentityEndpointMakesTheStoreUnavailable() {
        endpoint.failWith(503);

        assertThatThrownBy(() -> signIn(CLIENT_ID).getToken(scope(ACCOUNT + "/.default")).block())
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("answered 503")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(endpoint.identityHeader()));
    }

    @Test
    void anIdentityTheEndpointRefusesIsAStoreFailureNotAnOutage() {
        assertThatThrownBy(() -> signIn("not-" + CLIENT_ID).getToken(scope(ACCOUNT + "/.default")).block())
                .isInstanceOf(StoreException.class).isNotInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("answered 400");
        assertThatThrownBy(() -> signIn("not-" + CLIENT_ID).getTokenSync(scope(ACCOUNT + "/.default")))
                .isInstanceOf(StoreException.class).isNotInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("answered 400");
    }
}
