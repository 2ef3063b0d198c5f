package dev.opendps.adapters.iothub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.config.AppSettings;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.port.HubAccessDeniedException;
import dev.opendps.domain.port.HubRegistryException;
import dev.opendps.domain.port.HubUnavailableException;
import dev.opendps.testing.ManagedIdentityTestEndpoint;
import dev.opendps.testing.ManagedIdentityTestEndpoint.Request;
import dev.opendps.testing.MovableClock;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * IoT Hub's {@code Authorization} from the app's managed identity ({@link ManagedIdentityTestEndpoint}): what the
 * credentials add to the token source ({@code ManagedIdentityTokensTest} specifies fetching, reuse, renewal and
 * failures), the audience and the hub registry's exceptions.
 */
class ManagedIdentityCredentialsTest {
    private static final LinkedHub HUB = new LinkedHub("hub-1.azure-devices.net", 1, true,
            "HostName=hub-1.azure-devices.net");
    private static final LinkedHub OTHER_HUB = new LinkedHub("hub-2.azure-devices.net", 1, true,
            "HostName=hub-2.azure-devices.net;AuthenticationType=ManagedIdentity");
    private static final String CLIENT_ID = "6f0d4c3a-8a57-4d1e-9a3b-2f1c0e5d7b90";

    private final MovableClock clock = new MovableClock(Instant.parse("2024-05-06T07:00:00Z"));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private ManagedIdentityTestEndpoint endpoint;

    @BeforeEach
    void startEndpoint() {
        endpoint = ManagedIdentityTestEndpoint.start(clock);
    }

    @AfterEach
    void stopEndpoint() {
        endpoint.close();
    }

    private ManagedIdentityCredentials credentials(String clientId) {
        return new ManagedIdentityCredentials(endpoint.endpoint(), endpoint.identityHeader(), clientId, http, clock,
                Duration.ofSeconds(5));
    }

    private static String token(String authorization) {
        assertThat(authorization).startsWith("Bearer ");
        return authorization.substring("Bearer ".length());
    }

    @Test
    void theBearerTokenIsTheIdentitysTokenForIotHub() {
        String authorization = credentials(null).authorization(HUB);

        assertThat(endpoint.isValid(token(authorization))).isTrue();
        assertThat(endpoint.resourceOf(token(authorization))).isEqualTo(ManagedIdentityCredentials.RESOURCE);
        assertThat(endpoint.requests()).singleElement().extracting(Request::query)
                .satisfies(query -> assertThat(query).containsEntry("resource", "https://iothubs.azure.net"));
    }

    @Test
    void oneTokenServesEveryHub() {
        ManagedIdentityCredentials credentials = credentials(null);

        String first = credentials.authorization(HUB);

        assertThat(credentials.authorization(OTHER_HUB)).isEqualTo(first);
        assertThat(endpoint.requests()).hasSize(1);
    }

    // --- failures, in the hub registry's terms (fetching and its failures: ManagedIdentityTokensTest) ---------

    @Test
    void aRefusedIdentityIsAccessDeniedNamingTheHubAndWhatTheEndpointAnswered() {
        assertThatThrownBy(() -> credentials(CLIENT_ID).authorization(HUB))
                .isInstanceOf(HubAccessDeniedException.class)
                .hasMessageContaining(HUB.hostName())
                .hasMessageContaining("answered 400")
                .hasMessageContaining(CLIENT_ID)
                .satisfies(e -> assertThat(((HubRegistryException) e).hubHostName()).isEqualTo(HUB.hostName()))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(endpoint.identityHeader()));
    }

    @Test
    void aFailingIdentityEndpointMakesTheHubUnavailable() {
        endpoint.failWith(500);

        assertThatThrownBy(() -> credentials(null).authorization(HUB))
                .isInstanceOf(HubUnavailableException.class)
                .hasMessageContaining(HUB.hostName())
                .hasMessageContaining("answered 500")
                .satisfies(e -> assertThat(((HubRegistryException) e).hubHostName()).isEqualTo(HUB.hostName()))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(endpoint.identityHeader()));
    }

    // --- settings ---------------------------------------------------------------------------------------

    @Test
    void theAppsManagedIdentityIsThePlatformsOrNone() {
        assertThat(ManagedIdentityCredentials.fromSettings(AppSettings.of(Map.of()), Duration.ofSeconds(5))).isEmpty();
        assertThat(ManagedIdentityCredentials.fromSettings(AppSettings.of(Map.of(
                "IDENTITY_ENDPOINT", endpoint.endpoint().toString(), "IDENTITY_HEADER", endpoint.identityHeader())),
                Duration.ofSeconds(5))).isPresent();
    }
}
