package dev.opendps.adapters.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.testing.ManagedIdentityTestEndpoint;
import dev.opendps.testing.MovableClock;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One token source for every resource the app signs in to. Fetching, renewal and failures are specified through
 * their first user, the IoT Hub credentials ({@code ManagedIdentityCredentialsTest}).
 */
class ManagedIdentityTokensTest {
    private static final String COSMOS = "https://opendps-test.documents.azure.com";

    private final MovableClock clock = new MovableClock(Instant.parse("2024-05-06T07:00:00Z"));
    private ManagedIdentityTestEndpoint endpoint;
    private ManagedIdentityTokens tokens;

    @BeforeEach
    void start() {
        endpoint = ManagedIdentityTestEndpoint.start(clock);
        endpoint.issueFor(COSMOS);
        tokens = new ManagedIdentityTokens(endpoint.endpoint(), endpoint.identityHeader(), null,
                HttpClient.newHttpClient(), clock, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        endpoint.close();
    }

    @Test
    void eachResourceHasItsOwnTokenAndEachIsReused() {
        ManagedIdentityTokens.Token hub = tokens.token(ManagedIdentityTestEndpoint.RESOURCE);
        ManagedIdentityTokens.Token cosmos = tokens.token(COSMOS);

        assertThat(endpoint.resourceOf(hub.value())).isEqualTo(ManagedIdentityTestEndpoint.RESOURCE);
        assertThat(endpoint.resourceOf(cosmos.value())).isEqualTo(COSMOS);
        assertThat(tokens.token(COSMOS)).isEqualTo(cosmos);
        assertThat(tokens.token(ManagedIdentityTestEndpoint.RESOURCE)).isEqualTo(hub);
        assertThat(endpoint.requests()).hasSize(2);
    }

    @Test
    void aTokenNeverShowsItsValue() {
        ManagedIdentityTokens.Token token = tokens.token(COSMOS);

        assertThat(token.toString()).doesNotContain(token.value()).contains("redacted");
    }
}
