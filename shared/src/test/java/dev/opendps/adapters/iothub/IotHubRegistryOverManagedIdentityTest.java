package dev.opendps.adapters.iothub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.HubDevice;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.port.HubAccessDeniedException;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.HubRegistryContract;
import dev.opendps.domain.port.HubUnavailableException;
import dev.opendps.service.LinkedHubSettings;
import dev.opendps.testing.IotHubTestServer;
import dev.opendps.testing.LogCapture;
import dev.opendps.testing.ManagedIdentityTestEndpoint;
import dev.opendps.testing.MovableClock;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The registry contract over a managed identity: the hubs of {@link IotHubTestServer} know no key and admit only
 * the bearer tokens that {@link ManagedIdentityTestEndpoint} issued and that have not expired.
 */
class IotHubRegistryOverManagedIdentityTest extends HubRegistryContract {
    private static final MovableClock CLOCK = new MovableClock(Instant.parse("2024-05-06T07:00:00Z"));
    private static IotHubTestServer server;
    private static ManagedIdentityTestEndpoint identity;
    private static HttpClient http;

    @BeforeAll
    static void startServers() {
        identity = ManagedIdentityTestEndpoint.start(CLOCK);
        server = IotHubTestServer.start();
        server.acceptBearerTokens(identity::isValid);
        http = server.client();
    }

    @AfterAll
    static void stopServers() {
        server.close();
        identity.close();
    }

    @Override
    protected HubRegistry createRegistry() {
        server.behave();
        identity.behave();
        server.addHub("HostName=" + hub.hostName());
        server.addHub("HostName=" + otherHub.hostName());
        return registry(managedIdentity(CLOCK));
    }

    private static ManagedIdentityCredentials managedIdentity(Clock clock) {
        return new ManagedIdentityCredentials(identity.endpoint(), identity.identityHeader(), null,
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), clock, Duration.ofSeconds(5));
    }

    private static IotHubRegistry registry(HubCredentials credentials) {
        return new IotHubRegistry(http, credentials, server::baseUri, Duration.ofSeconds(10));
    }

    private List<String> authorizationsSince(int before) {
        List<String> all = server.authorizations();
        return all.subList(before, all.size());
    }

    @Test
    void aHubLinkedWithoutAKeyGetsDevicesCreatedFoundAndDeletedWithOneToken() {
        LinkedHub keyless = LinkedHubSettings.parse("HostName=" + newHub().hostName()).get(0);
        server.addHub("HostName=" + keyless.hostName());
        HubRegistry production = registry(new LinkedHubCredentials(new ConnectionStringCredentials(),
                managedIdentity(CLOCK)));
        int requestsBefore = identity.requests().size();
        int before = server.authorizations().size();

        HubDevice created = production.createOrUpdate(keyless, sasDevice("device-1", 1));
        assertThat(production.find(keyless, "device-1")).contains(created);
        production.delete(keyless, "device-1");
        assertThat(production.find(keyless, "device-1")).isEmpty();

        List<String> sent = authorizationsSince(before);
        assertThat(new HashSet<>(sent)).singleElement().satisfies(authorization -> {
            assertThat(authorization).startsWith("Bearer ");
            assertThat(identity.isValid(authorization.substring("Bearer ".length()))).isTrue();
        });
        assertThat(identity.requests()).hasSize(requestsBefore + 1);
    }

    @Test
    void hubsWithAndWithoutAKeyWorkSideBySide() {
        LinkedHub keyed = newHub();
        server.addHub(keyed.connectionString());
        HubRegistry production = registry(new LinkedHubCredentials(new ConnectionStringCredentials(),
                managedIdentity(CLOCK)));
        LinkedHub keyless = new LinkedHub(hub.hostName(), 1, true, "HostName=" + hub.hostName());

        int before = server.authorizations().size();
        production.createOrUpdate(keyed, sasDevice("device-1", 1));
        int between = server.authorizations().size();
        production.createOrUpdate(keyless, sasDevice("device-1", 1));

        assertThat(server.authorizations().subList(before, between))
                .allSatisfy(authorization -> assertThat(authorization).startsWith("SharedAccessSignature "));
        assertThat(authorizationsSince(between))
                .allSatisfy(authorization -> assertThat(authorization).startsWith("Bearer "));
    }

    @Test
    void aTokenTheHubNoLongerAcceptsIsAccessDeniedWithoutQuotingIt() {
        registry.createOrUpdate(hub, sasDevice("device-1", 1));
        String token = server.authorizations().get(server.authorizations().size() - 1);
        identity.revokeAll();

        assertThatThrownBy(() -> registry.find(hub, "device-1"))
                .isInstanceOf(HubAccessDeniedException.class)
                .hasMessageContaining("401").hasMessageContaining("IotHubUnauthorizedAccess")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token.substring("Bearer ".length())));
    }

    @Test
    void anExpiredTokenIsRefusedByTheHub() {
        // A host whose clock stands still keeps a token the hub already holds expired.
        HubRegistry stuck = registry(managedIdentity(Clock.fixed(CLOCK.instant(), ZoneOffset.UTC)));
        stuck.createOrUpdate(hub, sasDevice("device-1", 1));
        CLOCK.advance(Duration.ofHours(25));

        assertThatThrownBy(() -> stuck.find(hub, "device-1"))
                .isInstanceOf(HubAccessDeniedException.class).hasMessageContaining("401");
        assertThat(registry(managedIdentity(CLOCK)).find(hub, "device-1")).isPresent();
    }

    @Test
    void aFailingIdentityEndpointFailsTheCallBeforeTheHubIsAsked() {
        identity.failWith(500);
        int before = server.authorizations().size();

        assertThatThrownBy(() -> registry.createOrUpdate(hub, sasDevice("device-1", 1)))
                .isInstanceOf(HubUnavailableException.class)
                .hasMessageContaining(hub.hostName()).hasMessageContaining("answered 500")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(identity.identityHeader()));
        assertThat(server.authorizations()).hasSize(before);
    }

    @Test
    void neitherTokensNorTheIdentityHeaderAreLogged() {
        List<String> lines;
        try (LogCapture capture = LogCapture.of(IotHubRegistry.class, ManagedIdentityCredentials.class)) {
            registry.createOrUpdate(hub, sasDevice("device-1", 1));
            registry.find(hub, "device-1");
            server.failWith(503);
            assertThatThrownBy(() -> registry.find(hub, "device-1")).isInstanceOf(HubUnavailableException.class);
            lines = capture.lines();
        }

        String token = server.authorizations().get(server.authorizations().size() - 1).substring("Bearer ".length());
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line)
                .doesNotContain(token).doesNotContain(identity.identityHeader()));
    }
}
