package dev.opendps.adapters.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import dev.opendps.testing.ManagedIdentityTestEndpoint;
import dev.opendps.testing.MovableClock;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The managed identity as an Azure SDK token credential: what it adds to {@link ManagedIdentityTokens} (whose
 * fetching, reuse, renewal and failures {@code ManagedIdentityTokensTest} specifies) is the SDK's shape: a scope
 * for a resource, and an {@link AccessToken} that the SDK's own cache renews when the token source would.
 */
class ManagedIdentityTokenCredentialTest {
    private static final String VAULT = "https://vault.azure.net";

    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private ManagedIdentityTestEndpoint endpoint;
    private ManagedIdentityTokenCredential credential;

    @BeforeEach
    void start() {
        endpoint = ManagedIdentityTestEndpoint.start(clock);
        endpoint.issueFor(VAULT);
        credential = new ManagedIdentityTokenCredential(new ManagedIdentityTokens(endpoint.endpoint(),
                endpoint.identityHeader(), null, HttpClient.newHttpClient(), clock, Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    private static TokenRequestContext scope(String... scopes) {
        return new TokenRequestContext().setScopes(List.of(scopes));
    }

    @Test
    void aDefaultScopeIsAskedForAsItsResourceWithTheTokensExpiryAndRenewal() {
        AccessToken token = credential.getTokenSync(scope(VAULT + "/.default"));

        assertThat(endpoint.isValid(token.getToken())).isTrue();
        assertThat(endpoint.resourceOf(token.getToken())).isEqualTo(VAULT);
        assertThat(endpoint.requests()).singleElement()
                .satisfies(request -> assertThat(request.query()).containsEntry("resource", VAULT));
        assertThat(token.getExpiresAt().toInstant()).isEqualTo(clock.instant().plus(Duration.ofHours(24)));
        assertThat(token.getRefreshAt().toInstant())
                .isEqualTo(clock.instant().plus(Duration.ofHours(24)).minus(Duration.ofMinutes(5)));
    }

    @Test
    void theSdksAsynchronousCallGetsTheSameReusedToken() {
        String sync = credential.getTokenSync(scope(VAULT + "/.default")).getToken();

        assertThat(credential.getToken(scope(VAULT + "/.default")).block().getToken()).isEqualTo(sync);
        assertThat(endpoint.requests()).hasSize(1);
    }

    @Test
    void aScopeWithoutDefaultIsItsOwnResource() {
        String token = credential.getTokenSync(scope(VAULT)).getToken();

        assertThat(endpoint.resourceOf(token)).isEqualTo(VAULT);
    }

    @Test
    void exactlyOneResourceIsAskedFor() {
        assertThatThrownBy(() -> credential.getTokenSync(scope(VAULT + "/.default",
                ManagedIdentityTestEndpoint.RESOURCE + "/.default"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> credential.getTokenSync(scope())).isInstanceOf(IllegalArgumentException.class);
        assertThat(endpoint.requests()).isEmpty();
    }

    @Test
    void aFailureReachesTheSdkAsTheTokenSourcesExceptionOnBothCalls() {
        endpoint.failWith(503);

        assertThatThrownBy(() -> credential.getTokenSync(scope(VAULT + "/.default")))
                .isInstanceOfSatisfying(ManagedIdentityException.class, e -> assertThat(e.refused()).isFalse());
        assertThatThrownBy(() -> credential.getToken(scope(VAULT + "/.default")).block())
                .isInstanceOfSatisfying(ManagedIdentityException.class, e -> assertThat(e.refused()).isFalse());
    }
}
