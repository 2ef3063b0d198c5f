package dev.opendps.adapters.iothub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.adapters.identity.ManagedIdentityTokens;
import dev.opendps.config.AppSettings;
import dev.opendps.config.Setting;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.port.HubAccessDeniedException;
import dev.opendps.domain.port.HubRegistryException;
import dev.opendps.domain.port.HubUnavailableException;
import dev.opendps.testing.LogCapture;
import dev.opendps.testing.ManagedIdentityTestEndpoint;
import dev.opendps.testing.ManagedIdentityTestEndpoint.Request;
import dev.opendps.testing.MovableClock;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tokens of the app's managed identity from an App Service style identity endpoint ({@link ManagedIdentityTestEndpoint}). */
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

    // --- fetching and reuse -----------------------------------------------------------------------------

    @Test
    void theSystemAssignedIdentityIsAskedForAnIotHubTokenWithTheIdentityHeader() {
        String authorization = credentials(null).authorization(HUB);

        assertThat(endpoint.isValid(token(authorization))).isTrue();
        assertThat(endpoint.identityOf(token(authorization))).isEqualTo("system-assigned");
        assertThat(endpoint.requests()).singleElement().satisfies(request -> {
            assertThat(request.identityHeaderMatched()).isTrue();
            assertThat(request.query()).isEqualTo(Map.of("resource", "https://iothubs.azure.net",
                    "api-version", "2019-08-01"));
        });
    }

    @Test
    void aUserAssignedIdentityIsAskedForByItsClientId() {
        endpoint.addUserAssignedIdentity(CLIENT_ID);

        String authorization = credentials(CLIENT_ID).authorization(HUB);

        assertThat(endpoint.identityOf(token(authorization))).isEqualTo(CLIENT_ID);
        assertThat(endpoint.requests()).singleElement().extracting(Request::query)
                .isEqualTo(Map.of("resource", "https://iothubs.azure.net", "api-version", "2019-08-01",
                        "client_id", CLIENT_ID));
    }

    @Test
    void oneTokenServesEveryCallAndEveryHub() {
        ManagedIdentityCredentials credentials = credentials(null);

        List<String> sent = new ArrayList<>();
        for (int call = 0; call < 5; call++) {
            sent.add(credentials.authorization(HUB));
            sent.add(credentials.authorization(OTHER_HUB));
            clock.advance(Duration.ofMinutes(10));
        }

        assertThat(sent).containsOnly(sent.get(0));
        assertThat(endpoint.requests()).hasSize(1);
    }

    @Test
    void aTokenIsRenewedFiveMinutesBeforeItExpires() {
        endpoint.tokenLifetime(Duration.ofHours(1));
        ManagedIdentityCredentials credentials = credentials(null);

        String first = credentials.authorization(HUB);
        clock.advance(Duration.ofMinutes(54));
        String stillFirst = credentials.authorization(HUB);
        clock.advance(Duration.ofMinutes(2));
        String renewed = credentials.authorization(HUB);

        assertThat(stillFirst).isEqualTo(first);
        assertThat(renewed).isNotEqualTo(first);
        assertThat(endpoint.isValid(token(renewed))).isTrue();
        assertThat(endpoint.requests()).hasSize(2);
    }

    @Test
    void anExpiryWrittenAsANumberIsUnderstoodToo() {
        endpoint.tokenLifetime(Duration.ofHours(1));
        endpoint.expiryAsNumber(true);
        ManagedIdentityCredentials credentials = credentials(null);

        String first = credentials.authorization(HUB);
        clock.advance(Duration.ofMinutes(54));
        String stillFirst = credentials.authorization(HUB);
        clock.advance(Duration.ofMinutes(2));

        assertThat(stillFirst).isEqualTo(first);
        assertThat(credentials.authorization(HUB)).isNotEqualTo(first);
    }

    @Test
    void aShortLivedTokenIsRenewedHalfwayRatherThanAtEveryCall() {
        endpoint.tokenLifetime(Duration.ofMinutes(6));
        ManagedIdentityCredentials credentials = credentials(null);

        String first = credentials.authorization(HUB);
        clock.advance(Duration.ofMinutes(2));

        assertThat(credentials.authorization(HUB)).isEqualTo(first);
        clock.advance(Duration.ofMinutes(2));
        assertThat(credentials.authorization(HUB)).isNotEqualTo(first);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void callersThatArriveTogetherShareOneFetch() throws Exception {
        endpoint.stall(Duration.ofMillis(300));
        ManagedIdentityCredentials credentials = credentials(null);
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(() -> credentials.authorization(HUB));
            }
            List<String> sent = new ArrayList<>();
            for (Future<String> result : callers.invokeAll(calls)) {
                sent.add(result.get());
            }

            assertThat(sent).hasSize(8).containsOnly(sent.get(0));
            assertThat(endpoint.requests()).hasSize(1);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aFailedRenewalKeepsTheTokenThatIsStillValidAndTriesAgainNextCall() {
        endpoint.tokenLifetime(Duration.ofHours(1));
        ManagedIdentityCredentials credentials = credentials(null);
        String first = credentials.authorization(HUB);
        clock.advance(Duration.ofMinutes(57));
        endpoint.failWith(503);

        assertThat(credentials.authorization(HUB)).isEqualTo(first);
        endpoint.behave();
        assertThat(credentials.authorization(HUB)).isNotEqualTo(first);
        assertThat(endpoint.requests()).hasSize(3);
    }

    @Test
    void anExpiredTokenIsNotUsedWhenRenewalFails() {
        endpoint.tokenLifetime(Duration.ofHours(1));
        ManagedIdentityCredentials credentials = credentials(null);
        credentials.authorization(HUB);
        clock.advance(Duration.ofMinutes(61));
        endpoint.failWith(503);

        assertThatThrownBy(() -> credentials.authorization(HUB)).isInstanceOf(HubUnavailableException.class);
    }

    // --- failures ---------------------------------------------------------------------------------------

    @Test
    void anUnknownUserAssignedIdentityIsAccessDeniedSayingWhatTheEndpointAnswered() {
        assertThatThrownBy(() -> credentials(CLIENT_ID).authorization(HUB))
                .isInstanceOf(HubAccessDeniedException.class)
                .hasMessageContaining(HUB.hostName())
                .hasMessageContaining("answered 400")
                .hasMessageContaining("Unable to load the proper Managed Identity")
                .hasMessageContaining(CLIENT_ID)
                .satisfies(e -> assertThat(((HubRegistryException) e).hubHostName()).isEqualTo(HUB.hostName()))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(endpoint.identityHeader()));
    }

    @Test
    void aWrongIdentityHeaderIsAccessDeniedWithoutQuotingIt() {
        String wrongHeader = "wrong-identity-header-3f9c";
        ManagedIdentityCredentials credentials = new ManagedIdentityCredentials(endpoint.endpoint(), wrongHeader,
                null, http, clock, Duration.ofSeconds(5));

        assertThatThrownBy(() -> credentials.authorization(HUB))
                .isInstanceOf(HubAccessDeniedException.class).hasMessageContaining("401")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrongHeader));
        assertThat(endpoint.requests()).singleElement().extracting(Request::identityHeaderMatched).isEqualTo(false);
    }

    @Test
    void anIdentityEndpointAnswering500IsUnavailable() {
        endpoint.failWith(500);

        assertThatThrownBy(() -> credentials(null).authorization(HUB))
                .isInstanceOf(HubUnavailableException.class)
                .hasMessageContaining("answered 500")
                .hasMessageContaining("The test endpoint was told to fail")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(endpoint.identityHeader()));
    }

    @Test
    void aThrottlingIdentityEndpointIsUnavailable() {
        endpoint.failWith(429);

        assertThatThrownBy(() -> credentials(null).authorization(HUB))
                .isInstanceOf(HubUnavailableException.class).hasMessageContaining("answered 429");
    }

    @Test
    void anUnreachableIdentityEndpointIsUnavailable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        ManagedIdentityCredentials credentials = new ManagedIdentityCredentials(
                URI.create("http://127.0.0.1:" + closedPort + "/msi/token"), endpoint.identityHeader(), null, http,
                clock, Duration.ofSeconds(5));

        assertThatThrownBy(() -> credentials.authorization(HUB))
                .isInstanceOf(HubUnavailableException.class).hasMessageContaining("could not be reached")
                .hasMessageContaining(HUB.hostName());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void anIdentityEndpointThatDoesNotAnswerInTimeIsUnavailable() {
        endpoint.stall(Duration.ofSeconds(3));
        ManagedIdentityCredentials impatient = new ManagedIdentityCredentials(endpoint.endpoint(),
                endpoint.identityHeader(), null, http, clock, Duration.ofMillis(300));

        assertThatThrownBy(() -> impatient.authorization(HUB))
                .isInstanceOf(HubUnavailableException.class).hasMessageContaining("did not answer within 300 ms");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<html>Service Unavailable</html>",
            "{\"expires_on\":\"1900000000\",\"token_type\":\"Bearer\"}",
            "{\"access_token\":\"a-secret-token\",\"token_type\":\"Bearer\"}",
            "{\"access_token\":\"a-secret-token\",\"expires_on\":\"soon\"}",
            "{\"access_token\":\"a-secret-token\",\"expires_on\":\"1000000000\"}"})
    void anAnswerWithoutATokenAndAFutureExpiryIsUnavailableWithoutQuotingIt(String answer) {
        endpoint.answerWith(answer);

        assertThatThrownBy(() -> credentials(null).authorization(HUB))
                .isInstanceOf(HubUnavailableException.class)
                .hasMessageContaining("without an access_token and a future expires_on")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("a-secret-token"));
    }

    @Test
    void neitherTokensNorTheIdentityHeaderAreLogged() {
        List<String> tokens = new ArrayList<>();
        List<String> lines;
        try (LogCapture capture = LogCapture.of(ManagedIdentityCredentials.class, ManagedIdentityTokens.class)) {
            endpoint.tokenLifetime(Duration.ofHours(1));
            ManagedIdentityCredentials credentials = credentials(null);
            tokens.add(token(credentials.authorization(HUB)));
            clock.advance(Duration.ofMinutes(57));
            endpoint.failWith(500);
            tokens.add(token(credentials.authorization(HUB))); // the old one, with a warning
            clock.advance(Duration.ofMinutes(5));
            assertThatThrownBy(() -> credentials.authorization(HUB)).isInstanceOf(HubUnavailableException.class);
            lines = capture.lines();
        }

        assertThat(lines).hasSizeGreaterThanOrEqualTo(2).allSatisfy(line -> assertThat(line)
                .doesNotContain(tokens.get(0)).doesNotContain(endpoint.identityHeader()));
    }

    // --- settings ---------------------------------------------------------------------------------------

    @Test
    void withoutAnIdentityEndpointTheAppHasNoManagedIdentity() {
        assertThat(ManagedIdentityCredentials.fromSettings(AppSettings.of(Map.of()), Duration.ofSeconds(5))).isEmpty();
        assertThat(ManagedIdentityCredentials.fromSettings(AppSettings.of(Map.of(
                "IDENTITY_ENDPOINT", endpoint.endpoint().toString())), Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    void thePlatformsVariablesAndTheClientIdSettingAreUsed() {
        // On the system clock, as fromSettings is.
        try (ManagedIdentityTestEndpoint platform = ManagedIdentityTestEndpoint.start(java.time.Clock.systemUTC())) {
            platform.addUserAssignedIdentity(CLIENT_ID);
            AppSettings settings = AppSettings.of(Map.of(
                    "IDENTITY_ENDPOINT", platform.endpoint().toString(),
                    "IDENTITY_HEADER", platform.identityHeader(),
                    Setting.MANAGED_IDENTITY_CLIENT_ID.key(), CLIENT_ID));

            ManagedIdentityCredentials credentials =
                    ManagedIdentityCredentials.fromSettings(settings, Duration.ofSeconds(5)).orElseThrow();

            assertThat(platform.identityOf(token(credentials.authorization(HUB)))).isEqualTo(CLIENT_ID);
        }
    }
}
