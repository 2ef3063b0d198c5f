package dev.opendps.adapters.iothub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.port.HubAccessDeniedException;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.HubRegistryContract;
import dev.opendps.domain.port.HubUnavailableException;
import dev.opendps.domain.port.InvalidContinuationTokenException;
import dev.opendps.domain.port.Page;
import dev.opendps.testing.IotHubTestServer;
import dev.opendps.testing.LogCapture;
import dev.opendps.testing.MovableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The contract against IoT Hub's registry API as {@link IotHubTestServer} serves it, and what only a remote hub does. */
class IotHubRegistryTest extends HubRegistryContract {
    private static final String HUB_KEY = "bm90LWEta2V5"; // HubRegistryContract.newHub's key

    private static IotHubTestServer server;
    private static HttpClient http;

    @BeforeAll
    static void startServer() {
        server = IotHubTestServer.start();
        http = server.client();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected HubRegistry createRegistry() {
        server.behave();
        server.addHub(hub.connectionString());
        server.addHub(otherHub.connectionString());
        return registry(Duration.ofSeconds(10));
    }

    private static IotHubRegistry registry(Duration timeout) {
        return new IotHubRegistry(http, new ConnectionStringCredentials(), server::baseUri, timeout);
    }

    // --- failures ---------------------------------------------------------------------------------------

    @Test
    void aWrongKeyIsAccessDeniedSayingWhatTheHubAnsweredWithoutSecrets() {
        String wrongKey = "d3Jvbmcta2V5LWZvci10aGUtaHVi";
        LinkedHub wrong = new LinkedHub(hub.hostName(), 1, true, "HostName=" + hub.hostName()
                + ";SharedAccessKeyName=iothubowner;SharedAccessKey=" + wrongKey);

        assertThatThrownBy(() -> registry.createOrUpdate(wrong, sasDevice("device-1", 1)))
                .isInstanceOf(HubAccessDeniedException.class)
                .hasMessageContaining(hub.hostName())
                .hasMessageContaining("401")
                .hasMessageContaining("IotHubUnauthorizedAccess")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrongKey).doesNotContain("sig=")
                        .doesNotContain("SharedAccessSignature"));
        assertThat(registry.find(hub, "device-1")).isEmpty();
    }

    @Test
    void aWrongPolicyNameIsAccessDenied() {
        LinkedHub wrong = new LinkedHub(hub.hostName(), 1, true, "HostName=" + hub.hostName()
                + ";SharedAccessKeyName=registryReadWrite;SharedAccessKey=" + HUB_KEY);

        assertThatThrownBy(() -> registry.find(wrong, "device-1")).isInstanceOf(HubAccessDeniedException.class);
    }

    @Test
    void aHubWithoutConnectionStringIsAccessDeniedBeforeAnyCall() {
        int before = server.authorizations().size();
        LinkedHub bare = new LinkedHub(hub.hostName(), 1, true, null);

        assertThatThrownBy(() -> registry.createOrUpdate(bare, sasDevice("device-1", 1)))
                .isInstanceOf(HubAccessDeniedException.class).hasMessageContaining("no connection string");
        assertThat(server.authorizations()).hasSize(before);
    }

    @Test
    void aConnectionStringForAnotherHubIsRefused() {
        LinkedHub mixedUp = new LinkedHub(hub.hostName(), 1, true, otherHub.connectionString());

        assertThatThrownBy(() -> registry.find(mixedUp, "device-1"))
                .isInstanceOf(HubAccessDeniedException.class).hasMessageContaining("another hub");
    }

    @Test
    void aHubAnswering503IsUnavailable() {
        server.failWith(503);

        assertThatThrownBy(() -> registry.createOrUpdate(hub, sasDevice("device-1", 1)))
                .isInstanceOf(HubUnavailableException.class).hasMessageContaining("503")
                .hasMessageContaining("ServerBusy");
    }

    @Test
    void aThrottlingHubIsUnavailable() {
        server.failWith(429);

        assertThatThrownBy(() -> registry.list(hub, 10, null))
                .isInstanceOf(HubUnavailableException.class).hasMessageContaining("429");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aHubThatDoesNotAnswerInTimeIsUnavailable() {
        server.stall(Duration.ofSeconds(5));
        HubRegistry impatient = registry(Duration.ofMillis(500));
        long started = System.nanoTime();

        assertThatThrownBy(() -> impatient.find(hub, "device-1"))
                .isInstanceOf(HubUnavailableException.class).hasMessageContaining("did not answer")
                .hasMessageContaining("500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void anUnreachableHubIsUnavailable() {
        HubRegistry nowhere = new IotHubRegistry(http, new ConnectionStringCredentials(),
                host -> URI.create("https://127.0.0.1:1/" + host), Duration.ofSeconds(2));

        assertThatThrownBy(() -> nowhere.find(hub, "device-1")).isInstanceOf(HubUnavailableException.class)
                .hasMessageContaining("could not be reached");
    }

    @Test
    void aContinuationTokenTheHubDidNotMakeIsInvalid() {
        assertThatThrownBy(() -> registry.list(hub, 2, "not base64 !"))
                .isInstanceOf(InvalidContinuationTokenException.class);
    }

    // --- device ids -------------------------------------------------------------------------------------

    @Test
    void deviceIdsWithEveryAllowedSpecialCharacterWork() {
        List<String> ids = List.of("a-b.c%d_e*f?g!h(i)j,k:l=m@n$o'p", "%41", "A", "50%", "query", "..", "x?api-version=1",
                "id%2Fslash");
        List<HubDevice> created = new ArrayList<>();
        for (String id : ids) {
            created.add(registry.createOrUpdate(hub, sasDevice(id, 1)));
        }

        for (HubDevice device : created) {
            assertThat(device.deviceId()).isIn(ids);
            assertThat(registry.find(hub, device.deviceId())).contains(device);
        }
        assertThat(registry.list(hub, 100, null).items()).containsExactlyInAnyOrderElementsOf(created);
        registry.delete(hub, "%41");
        assertThat(registry.find(hub, "%41")).isEmpty();
        assertThat(registry.find(hub, "A")).isPresent();
    }

    // --- tokens -----------------------------------------------------------------------------------------

    @Test
    void oneTokenServesManyCalls() {
        int before = server.authorizations().size();

        registry.createOrUpdate(hub, sasDevice("device-1", 1));
        registry.createOrUpdate(hub, sasDevice("device-1", 2));
        registry.find(hub, "device-1");
        registry.list(hub, 10, null);
        registry.delete(hub, "device-1");

        List<String> sent = server.authorizations().subList(before, server.authorizations().size());
        assertThat(sent).hasSizeGreaterThan(5);
        assertThat(new HashSet<>(sent)).hasSize(1);
        assertThat(sent.get(0)).startsWith("SharedAccessSignature sr=" + hub.hostName() + "&sig=")
                .endsWith("&skn=iothubowner");
    }

    @Test
    void aTokenIsRenewedShortlyBeforeItExpires() {
        MovableClock clock = new MovableClock(Instant.parse("2024-05-06T07:00:00Z"));
        ConnectionStringCredentials credentials =
                new ConnectionStringCredentials(clock, Duration.ofHours(1), Duration.ofMinutes(5));

        String first = credentials.authorization(hub);
        clock.advance(Duration.ofMinutes(54));
        String stillFirst = credentials.authorization(hub);
        clock.advance(Duration.ofMinutes(2));
        String renewed = credentials.authorization(hub);

        assertThat(stillFirst).isEqualTo(first);
        assertThat(renewed).isNotEqualTo(first).contains("&se=" + Instant.parse("2024-05-06T08:56:00Z").getEpochSecond());
    }

    @Test
    void neitherKeysNorTokensAreLogged() {
        List<String> lines;
        try (LogCapture capture = LogCapture.of(IotHubRegistry.class)) {
            registry.createOrUpdate(hub, sasDevice("device-1", 1));
            registry.find(hub, "device-1");
            server.failWith(503);
            assertThatThrownBy(() -> registry.find(hub, "device-1")).isInstanceOf(HubUnavailableException.class);
            lines = capture.lines();
        }

        String token = server.authorizations().get(server.authorizations().size() - 1);
        String signature = token.substring(token.indexOf("sig=") + 4, token.indexOf("&se="));
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line)
                .doesNotContain(HUB_KEY).doesNotContain(signature).doesNotContain("SharedAccessSignature")
                .doesNotContain("cHJpbWFyeS1odWItZGV2aWNlLWtleQ=="));
    }

    // --- what a hub shows -------------------------------------------------------------------------------

    @Test
    void theCreationTimeIsTheHubsGenerationAndSurvivesUpdates() {
        Instant before = Instant.now().minusSeconds(1);
        HubDevice created = registry.createOrUpdate(hub, sasDevice("device-1", 1));

        assertThat(created.version().createdDateTimeUtc()).isBetween(before, Instant.now().plusSeconds(1));
        assertThat(registry.createOrUpdate(hub, sasDevice("device-1", 2)).version().createdDateTimeUtc())
                .isEqualTo(created.version().createdDateTimeUtc());
    }

    @Test
    void pagesFollowTheHubsContinuation() {
        for (int i = 0; i < 5; i++) {
            registry.createOrUpdate(hub, sasDevice("d-" + i, i));
        }

        Page<HubDevice> first = registry.list(hub, 2, null);
        Page<HubDevice> second = registry.list(hub, 2, first.continuationToken());
        Page<HubDevice> last = registry.list(hub, 2, second.continuationToken());

        assertThat(first.items()).extracting(HubDevice::deviceId).containsExactly("d-0", "d-1");
        assertThat(second.items()).extracting(HubDevice::deviceId).containsExactly("d-2", "d-3");
        assertThat(last.items()).extracting(HubDevice::deviceId).containsExactly("d-4");
        assertThat(last.hasMore()).isFalse();
    }
}
