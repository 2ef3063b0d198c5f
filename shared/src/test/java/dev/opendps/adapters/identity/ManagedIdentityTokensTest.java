package dev.opendps.adapters.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.config.AppSettings;
import dev.opendps.config.Setting;
import dev.opendps.testing.LogCapture;
import dev.opendps.testing.ManagedIdentityTestEndpoint;
import dev.opendps.testing.ManagedIdentityTestEndpoint.Request;
import dev.opendps.testing.MovableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
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

/**
 * The one token source of the app's managed identity, against an App Service style identity endpoint
 * ({@link ManagedIdentityTestEndpoint}): what it asks, how long it reuses a token, and how it fails. Its users
 * (the IoT Hub credentials, the Azure SDK credential for Key Vault and Cosmos DB) are tested for what they add.
 */
class ManagedIdentityTokensTest {
    private static final String HUBS = ManagedIdentityTestEndpoint.RESOURCE;
    private static final String COSMOS = "https://opendps-test.documents.azure.com";
    private static final String CLIENT_ID = "6f0d4c3a-8a57-4d1e-9a3b-2f1c0e5d7b90";

    private final MovableClock clock = new MovableClock(Instant.parse("2024-05-06T07:00:00Z"));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private ManagedIdentityTestEndpoint endpoint;

    @BeforeEach
    void startEndpoint() {
        endpoint = ManagedIdentityTestEndpoint.start(clock);
        endpoint.issueFor(COSMOS);
    }

    @AfterEach
    void stopEndpoint() {
        endpoint.close();
    }

    private ManagedIdentityTokens tokens(String clientId) {
        return new ManagedIdentityTokens(endpoint.endpoint(), endpoint.identityHeader(), clientId, http, clock,
                Duration.ofSeconds(5));
    }

    private ManagedIdentityTokens tokens() {
        return tokens(null);
    }

    private static ManagedIdentityException failure(Runnable call) {
        try {
            call.run();
        } catch (ManagedIdentityException e) {
            return e;
        }
        throw new AssertionError("expected a ManagedIdentityException");
    }

    // --- fetching and reuse -----------------------------------------------------------------------------

    @Test
    void theSystemAssignedIdentityIsAskedForTheResourceWithTheIdentityHeader() {
        ManagedIdentityTokens.Token token = tokens().token(HUBS);

        assertThat(endpoint.isValid(token.value())).isTrue();
        assertThat(endpoint.identityOf(token.value())).isEqualTo("system-assigned");
        assertThat(token.expiresOn()).isEqualTo(clock.instant().plus(Duration.ofHours(24)));
        assertThat(endpoint.requests()).singleElement().satisfies(request -> {
            assertThat(request.identityHeaderMatched()).isTrue();
            assertThat(request.query()).isEqualTo(Map.of("resource", HUBS, "api-version", "2019-08-01"));
        });
    }

    @Test
    void aUserAssignedIdentityIsAskedForByItsClientId() {
        endpoint.addUserAssignedIdentity(CLIENT_ID);

        ManagedIdentityTokens tokens = tokens(CLIENT_ID);

        assertThat(endpoint.identityOf(tokens.token(HUBS).value())).isEqualTo(CLIENT_ID);
        assertThat(tokens.identityName()).isEqualTo("the user-assigned managed identity " + CLIENT_ID);
        assertThat(endpoint.requests()).singleElement().extracting(Request::query)
                .isEqualTo(Map.of("resource", HUBS, "api-version", "2019-08-01", "client_id", CLIENT_ID));
    }

    @Test
    void eachResourceHasItsOwnTokenAndEachIsReused() {
        ManagedIdentityTokens tokens = tokens();

        ManagedIdentityTokens.Token hub = tokens.token(HUBS);
        ManagedIdentityTokens.Token cosmos = tokens.token(COSMOS);
        for (int call = 0; call < 5; call++) {
            clock.advance(Duration.ofMinutes(10));
            assertThat(tokens.token(COSMOS)).isEqualTo(cosmos);
            assertThat(tokens.token(HUBS)).isEqualTo(hub);
        }

        assertThat(endpoint.resourceOf(hub.value())).isEqualTo(HUBS);
        assertThat(endpoint.resourceOf(cosmos.value())).isEqualTo(COSMOS);
        assertThat(endpoint.requests()).hasSize(2);
    }

    @Test
    void aTokenIsRenewedFiveMinutesBeforeItExpires() {
        endpoint.tokenLifetime(Duration.ofHours(1));
        ManagedIdentityTokens tokens = tokens();

        ManagedIdentityTokens.Token first = tokens.token(HUBS);
        clock.advance(Duration.ofMinutes(54));
        ManagedIdentityTokens.Token stillFirst = tokens.token(HUBS);
        clock.advance(Duration.ofMinutes(2));
        ManagedIdentityTokens.Token renewed = tokens.token(HUBS);

        assertThat(first.renewAt()).isEqualTo(first.expiresOn().minus(Duration.ofMinutes(5)));
        assertThat(stillFirst).isEqualTo(first);
        assertThat(renewed.value()).isNotEqualTo(first.value());
        assertThat(endpoint.isValid(renewed.value())).isTrue();
        assertThat(endpoint.requests()).hasSize(2);
    }

    @Test
    void anExpiryWrittenAsANumberIsUnderstoodToo() {
        endpoint.tokenLifetime(Duration.ofHours(1));
        endpoint.expiryAsNumber(true);

        ManagedIdentityTokens.Token token = tokens().token(HUBS);

        assertThat(token.expiresOn()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
    }

    @Test
    void aShortLivedTokenIsRenewedHalfwayRatherThanAtEveryCall() {
        endpoint.tokenLifetime(Duration.ofMinutes(6));
        ManagedIdentityTokens tokens = tokens();

        ManagedIdentityTokens.Token first = tokens.token(HUBS);
        clock.advance(Duration.ofMinutes(2));

        assertThat(tokens.token(HUBS)).isEqualTo(first);
        clock.advance(Duration.ofMinutes(2));
        assertThat(tokens.token(HUBS).value()).isNotEqualTo(first.value());
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void callersThatArriveTogetherShareOneFetch() throws Exception {
        endpoint.stall(Duration.ofMillis(300));
        ManagedIdentityTokens tokens = tokens();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(() -> tokens.token(HUBS).value());
            }
            List<String> values = new ArrayList<>();
            for (Future<String> result : callers.invokeAll(calls)) {
                values.add(result.get());
            }

            assertThat(values).hasSize(8).containsOnly(values.get(0));
            assertThat(endpoint.requests()).hasSize(1);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aFailedRenewalKeepsTheTokenThatIsStillValidAndTriesAgainNextCall() {
        endpoint.tokenLifetime(Duration.ofHours(1));
        ManagedIdentityTokens tokens = tokens();
        ManagedIdentityTokens.Token first = tokens.token(HUBS);
        clock.advance(Duration.ofMinutes(57));
        endpoint.failWith(503);

        assertThat(tokens.token(HUBS)).isEqualTo(first);
        endpoint.behave();
        assertThat(tokens.token(HUBS).value()).isNotEqualTo(first.value());
        assertThat(endpoint.requests()).hasSize(3);
    }

    @Test
    void anExpiredTokenIsNotUsedWhenRenewalFails() {
        endpoint.tokenLifetime(Duration.ofHours(1));
        ManagedIdentityTokens tokens = tokens();
        tokens.token(HUBS);
        clock.advance(Duration.ofMinutes(61));
        endpoint.failWith(503);

        assertThat(failure(() -> tokens.token(HUBS)).refused()).isFalse();
    }

    @Test
    void aTokenNeverShowsItsValue() {
        ManagedIdentityTokens.Token token = tokens().token(COSMOS);

        assertThat(token.toString()).doesNotContain(token.value()).contains("redacted");
    }

    // --- failures: refused (a configuration to fix) or unavailable (try again later) ---------------------

    @Test
    void anUnknownUserAssignedIdentityIsRefusedSayingWhatTheEndpointAnswered() {
        ManagedIdentityException refused = failure(() -> tokens(CLIENT_ID).token(HUBS));

        assertThat(refused.refused()).isTrue();
        assertThat(refused.identityName()).isEqualTo("the user-assigned managed identity " + CLIENT_ID);
        assertThat(refused.reason()).contains("answered 400").contains("Unable to load the proper Managed Identity");
        assertThat(refused.getMessage()).contains(HUBS).contains(CLIENT_ID)
                .doesNotContain(endpoint.identityHeader());
    }

    @Test
    void aWrongIdentityHeaderIsRefusedWithoutQuotingIt() {
        String wrongHeader = "wrong-identity-header-3f9c";
        ManagedIdentityTokens tokens = new ManagedIdentityTokens(endpoint.endpoint(), wrongHeader, null, http, clock,
                Duration.ofSeconds(5));

        ManagedIdentityException refused = failure(() -> tokens.token(HUBS));

        assertThat(refused.refused()).isTrue();
        assertThat(refused.getMessage()).contains("answered 401").doesNotContain(wrongHeader);
        assertThat(endpoint.requests()).singleElement().extracting(Request::identityHeaderMatched).isEqualTo(false);
    }

    @Test
    void anIdentityEndpointAnswering500IsUnavailable() {
        endpoint.failWith(500);

        ManagedIdentityException failed = failure(() -> tokens().token(HUBS));

        assertThat(failed.refused()).isFalse();
        assertThat(failed.getMessage()).contains("answered 500").contains("The test endpoint was told to fail")
                .doesNotContain(endpoint.identityHeader());
    }

    @Test
    void aThrottlingIdentityEndpointIsUnavailable() {
        endpoint.failWith(429);

        ManagedIdentityException failed = failure(() -> tokens().token(HUBS));

        assertThat(failed.refused()).isFalse();
        assertThat(failed.getMessage()).contains("answered 429");
    }

    @Test
    void anUnreachableIdentityEndpointIsUnavailable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        ManagedIdentityTokens tokens = new ManagedIdentityTokens(
                URI.create("http://127.0.0.1:" + closedPort + "/msi/token"), endpoint.identityHeader(), null, http,
                clock, Duration.ofSeconds(5));

        ManagedIdentityException failed = failure(() -> tokens.token(HUBS));

        assertThat(failed.refused()).isFalse();
        assertThat(failed.getMessage()).contains("could not be reached");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void anIdentityEndpointThatDoesNotAnswerInTimeIsUnavailable() {
        endpoint.stall(Duration.ofSeconds(3));
        ManagedIdentityTokens impatient = new ManagedIdentityTokens(endpoint.endpoint(), endpoint.identityHeader(),
                null, http, clock, Duration.ofMillis(300));

        ManagedIdentityException failed = failure(() -> impatient.token(HUBS));

        assertThat(failed.refused()).isFalse();
        assertThat(failed.getMessage()).contains("did not answer within 300 ms");
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

        ManagedIdentityException failed = failure(() -> tokens().token(HUBS));

        assertThat(failed.refused()).isFalse();
        assertThat(failed.getMessage()).contains("without an access_token and a future expires_on")
                .doesNotContain("a-secret-token");
    }

    @Test
    void neitherTokensNorTheIdentityHeaderAreLogged() {
        List<String> values = new ArrayList<>();
        List<String> lines;
        try (LogCapture capture = LogCapture.of(ManagedIdentityTokens.class)) {
            endpoint.tokenLifetime(Duration.ofHours(1));
            ManagedIdentityTokens tokens = tokens();
            values.add(tokens.token(HUBS).value());
            clock.advance(Duration.ofMinutes(57));
            endpoint.failWith(500);
            values.add(tokens.token(HUBS).value()); // the old one, with a warning
            clock.advance(Duration.ofMinutes(5));
            failure(() -> tokens.token(HUBS));
            lines = capture.lines();
        }

        assertThat(values).containsOnly(values.get(0));
        assertThat(lines).hasSizeGreaterThanOrEqualTo(2).allSatisfy(line -> assertThat(line)
                .doesNotContain(values.get(0)).doesNotContain(endpoint.identityHeader()));
    }

    // --- settings: the platform's identity endpoint or none (never the VM metadata address) -------------

    @Test
    void withoutThePlatformsIdentityEndpointTheAppHasNoManagedIdentity() {
        assertThat(ManagedIdentityTokens.fromSettings(AppSettings.of(Map.of()), Duration.ofSeconds(5))).isEmpty();
        assertThat(ManagedIdentityTokens.fromSettings(AppSettings.of(Map.of(
                "IDENTITY_ENDPOINT", endpoint.endpoint().toString())), Duration.ofSeconds(5))).isEmpty();
        assertThat(ManagedIdentityTokens.fromSettings(AppSettings.of(Map.of(
                "IDENTITY_HEADER", endpoint.identityHeader())), Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    void thePlatformsVariablesAndTheClientIdSettingAreUsed() {
        // On the system clock, as fromSettings is.
        try (ManagedIdentityTestEndpoint platform = ManagedIdentityTestEndpoint.start(Clock.systemUTC())) {
            platform.addUserAssignedIdentity(CLIENT_ID);
            AppSettings settings = AppSettings.of(Map.of(
                    "IDENTITY_ENDPOINT", platform.endpoint().toString(),
                    "IDENTITY_HEADER", platform.identityHeader(),
                    Setting.MANAGED_IDENTITY_CLIENT_ID.key(), CLIENT_ID));

            ManagedIdentityTokens tokens = ManagedIdentityTokens.fromSettings(settings, Duration.ofSeconds(5))
                    .orElseThrow();

            assertThat(platform.identityOf(tokens.token(HUBS).value())).isEqualTo(CLIENT_ID);
        }
    }
}
