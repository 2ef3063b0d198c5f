package dev.opendps.adapters.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import dev.opendps.config.AppSettings;
import dev.opendps.testing.ManagedIdentityTestEndpoint;
import dev.opendps.testing.MovableClock;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The managed identity as an Azure SDK token credential, against the identity test endpoint. */
class ManagedIdentityTokenCredentialTest {
    private static final String VAULT = "https://vault.azure.net";

    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private ManagedIdentityTestEndpoint endpoint;

    @BeforeEach
    void start() {
        endpoint = ManagedIdentityTestEndpoint.start(clock);
        endpoint.issueFor(VAULT);
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    private ManagedIdentityTokenCredential credential(String clientId) {
        return new ManagedIdentityTokenCredential(endpoint.endpoint(), endpoint.identityHeader(), clientId,
                HttpClient.newHttpClient(), clock, Duration.ofSeconds(5));
    }

    private static TokenRequestContext scope(String scope) {
        return new TokenRequestContext().addScopes(scope);
    }

    @Test
    void aDefaultScopeIsAskedForAsItsResourceAndTheTokenIsReusedUntilNearItsExpiry() {
        ManagedIdentityTokenCredential credential = credential(null);

        AccessToken first = credential.getTokenSync(scope(VAULT + "/.default"));
        clock.advance(Duration.ofHours(23));
        AccessToken again = credential.getTokenSync(scope(VAULT + "/.default"));

        assertThat(endpoint.isValid(first.getToken())).isTrue();
        assertThat(endpoint.resourceOf(first.getToken())).isEqualTo(VAULT);
        assertThat(again.getToken()).isEqualTo(first.getToken());
        assertThat(endpoint.requests()).hasSize(1);
        assertThat(endpoint.requests().get(0).query()).containsEntry("resource", VAULT).doesNotContainKey("client_id");

        clock.advance(Duration.ofMinutes(56)); // within five minutes of the 24-hour expiry
        assertThat(credential.getTokenSync(scope(VAULT + "/.default")).getToken()).isNotEqualTo(first.getToken());
    }

    @Test
    void eachResourceHasItsOwnToken() {
        ManagedIdentityTokenCredential credential = credential(null);

        String vault = credential.getTokenSync(scope(VAULT + "/.default")).getToken();
        String hubs = credential.getToken(scope(ManagedIdentityTestEndpoint.RESOURCE + "/.default")).block().getToken();

        assertThat(endpoint.resourceOf(vault)).isEqualTo(VAULT);
        assertThat(endpoint.resourceOf(hubs)).isEqualTo(ManagedIdentityTestEndpoint.RESOURCE);
    }

    @Test
    void aUserAssignedIdentityIsAskedForByItsClientId() {
        endpoint.addUserAssignedIdentity("client-1");

        String token = credential("client-1").getTokenSync(scope(VAULT + "/.default")).getToken();

        assertThat(endpoint.identityOf(token)).isEqualTo("client-1");
    }

    @Test
    void aRefusalIsToldApartFromAnOutageAndNeitherShowsTheIdentityHeader() {
        TokenRequestContext request = scope(VAULT + "/.default");

        assertThatThrownBy(() -> credential("unknown-client").getTokenSync(request))
                .isInstanceOfSatisfying(ManagedIdentityTokenCredential.TokenException.class,
                        e -> assertThat(e.refused()).isTrue())
                .hasMessageContaining("answered 400").hasMessageNotContaining(endpoint.identityHeader());
        endpoint.failWith(503);
        assertThatThrownBy(() -> credential(null).getTokenSync(request))
                .isInstanceOfSatisfying(ManagedIdentityTokenCredential.TokenException.class,
                        e -> assertThat(e.refused()).isFalse())
                .hasMessageContaining("answered 503");
    }

    @Test
    void aStillValidTokenIsKeptWhenRenewingFails() {
        ManagedIdentityTokenCredential credential = credential(null);
        String token = credential.getTokenSync(scope(VAULT)).getToken();
        clock.advance(Duration.ofHours(23).plusMinutes(57));
        endpoint.failWith(500);

        assertThat(credential.getTokenSync(scope(VAULT)).getToken()).isEqualTo(token);
    }

    @Test
    void exactlyOneResourceIsAskedFor() {
        assertThatThrownBy(() -> credential(null).getTokenSync(new TokenRequestContext()
                .setScopes(List.of(VAULT, ManagedIdentityTestEndpoint.RESOURCE))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thereIsNoCredentialWithoutThePlatformsIdentityEndpoint() {
        assertThat(ManagedIdentityTokenCredential.fromSettings(AppSettings.of(Map.of()), Duration.ofSeconds(1)))
                .isEmpty();
        assertThat(ManagedIdentityTokenCredential.fromSettings(AppSettings.of(Map.of(
                "IDENTITY_ENDPOINT", endpoint.endpoint().toString(), "IDENTITY_HEADER", endpoint.identityHeader())),
                Duration.ofSeconds(1))).isPresent();
    }
}
