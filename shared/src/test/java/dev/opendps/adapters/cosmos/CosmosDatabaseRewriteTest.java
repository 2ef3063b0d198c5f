package dev.opendps.adapters.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.cosmos.models.CosmosQueryRequestOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.adapters.DocumentRewrite;
import dev.opendps.adapters.envelope.DataKeyRewrap;
import dev.opendps.adapters.envelope.SecretEnvelope;
import dev.opendps.adapters.keys.LocalKeyFile;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.RecordVersion;
import dev.opendps.domain.port.EtagMismatchException;
import dev.opendps.domain.port.Records;
import dev.opendps.domain.port.StoreUnavailableException;
import dev.opendps.testing.CosmosTestServer.Fault;
import dev.opendps.wire.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CosmosDatabase#rewriteDocuments} re-wrapping data keys on a real Cosmos SQL-API endpoint: every sealed
 * value moves to the KEK's current version, records and their etags stay as they were, a record written during
 * the pass keeps what its writer wrote, and throttling is ridden out or stops the pass until it is run again.
 * Each test has a database of its own, so what it reads raw is only what it wrote.
 */
class CosmosDatabaseRewriteTest {
    @RegisterExtension
    static final CosmosAccount COSMOS = new CosmosAccount();
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final String SCOPE = "0ne0000000A";
    private static final LinkedHub HUB = new LinkedHub("hub-a.azure-devices.net", 1, true, null);

    @TempDir
    Path keys;
    private LocalKeyFile kek;
    private CosmosDatabase database;
    private CosmosEnrollmentStore enrollments;

    @BeforeEach
    void open() {
        kek = LocalKeyFile.openOrCreate(keys.resolve("kek.json"));
        database = CosmosDatabase.connect(COSMOS.server().endpoint(), COSMOS.server().key(),
                "rewrite-" + DATABASES.incrementAndGet(), new SecretEnvelope(kek));
        enrollments = new CosmosEnrollmentStore(database);
    }

    @AfterEach
    void close() {
        COSMOS.server().clearFaults();
        database.close();
    }

    @Test
    void everyDataKeyMovesToTheCurrentVersionAcrossPartitionsAndPages() {
        Map<String, List<IndividualEnrollment>> before = new LinkedHashMap<>();
        for (String scope : List.of(SCOPE, "0ne0000000B", "0ne0000000C")) {
            for (int i = 0; i < 5; i++) {
                before.computeIfAbsent(scope, any -> new ArrayList<>())
                        .add(enrollments.create(scope, Records.enrollment("device-" + i)));
            }
        }
        CosmosEnrollmentGroupStore groups = new CosmosEnrollmentGroupStore(database);
        groups.create(SCOPE, Records.enrollmentGroup("group-1", Records.symmetricKey()));
        CosmosInstanceStore instances = new CosmosInstanceStore(database);
        ProvisioningInstance instance = instances.create(Records.instance("dps-1.example.net", SCOPE));
        CosmosHubRegistry hubs = new CosmosHubRegistry(database);
        HubDevice device = hubs.createOrUpdate(HUB, new HubDevice(HUB.hostName(), "device-0",
                HubDevice.Authentication.sas(Records.symmetricKey().primaryKey(),
                        Records.symmetricKey().secondaryKey()), false, true, Json.object(), Json.object(),
                RecordVersion.NONE));
        CosmosTpmChallengeStore challenges = new CosmosTpmChallengeStore(database);
        challenges.create(SCOPE, Records.tpmChallenge("tpm-1"));
        DeviceRegistrationState registration = new CosmosRegistrationStateStore(database)
                .create(SCOPE, Records.registrationState("device-0", null));
        String original = kek.currentVersion();
        ObjectNode sealedBefore = sealedPrimaryKey(SCOPE, "device-0");

        String rotated = kek.rotate();
        DocumentRewrite pass = database.rewriteDocuments(new DataKeyRewrap(kek)::apply, 4);

        // 15 enrollments, a group, an instance, a hub device, a TPM challenge: all the items that hold secrets.
        assertThat(pass).isEqualTo(new DocumentRewrite(19, 19, 0));
        assertThat(kekVersionsStored()).containsExactly(rotated).doesNotContain(original);
        ObjectNode sealedAfter = sealedPrimaryKey(SCOPE, "device-0");
        assertThat(sealedAfter.get("dk")).isNotEqualTo(sealedBefore.get("dk"));
        assertThat(sealedAfter.get("iv")).isEqualTo(sealedBefore.get("iv"));
        assertThat(sealedAfter.get("ct")).isEqualTo(sealedBefore.get("ct"));
        // Every record reads back as it was, etag included.
        before.forEach((scope, created) -> {
            assertThat(enrollments.list(scope, 0, null).items()).containsExactlyInAnyOrderElementsOf(created);
            assertThat(created).allSatisfy(e -> assertThat(enrollments.find(scope, e.registrationId())).contains(e));
        });
        assertThat(instances.findByIdScope(SCOPE)).contains(instance);
        assertThat(hubs.find(HUB, "device-0")).contains(device);
        assertThat(challenges.find(SCOPE, "tpm-1").orElseThrow().key()).isEqualTo(Records.tpmChallenge("tpm-1").key());
        // Registration states hold no secret: not even read.
        assertThat(new CosmosRegistrationStateStore(database).find(SCOPE, "device-0")).contains(registration);
        // A second pass has nothing left to do.
        assertThat(database.rewriteDocuments(new DataKeyRewrap(kek)::apply, 4)).isEqualTo(new DocumentRewrite(19, 0, 0));
    }

    @Test
    void aWriteNamingTheEtagShownBeforeThePassStillSucceeds() {
        IndividualEnrollment replaced = enrollments.create(SCOPE, Records.enrollment("replaced"));
        IndividualEnrollment deleted = enrollments.create(SCOPE, Records.enrollment("deleted"));
        CosmosInstanceStore instances = new CosmosInstanceStore(database);
        ProvisioningInstance instance = instances.create(Records.instance("dps-1.example.net", SCOPE));
        kek.rotate();

        database.rewriteDocuments(new DataKeyRewrap(kek)::apply);

        assertThat(rawItem(CosmosRecordKind.ENROLLMENT, "replaced").path("_etag").asText())
                .as("Cosmos's own etag moved").doesNotContain(replaced.etag());
        IndividualEnrollment renamed = enrollments.replace(SCOPE, new IndividualEnrollment("replaced", "renamed",
                null, replaced.settings(), replaced.version()), replaced.etag());
        assertThat(renamed.etag()).isNotEqualTo(replaced.etag());
        assertThat(enrollments.find(SCOPE, "replaced")).contains(renamed);
        assertThat(rawItem(CosmosRecordKind.ENROLLMENT, "replaced").has(RecordEtags.FIELD)).isFalse();
        // Now the record did change: the etag from before fails as it must.
        assertThatThrownBy(() -> enrollments.replace(SCOPE, replaced, replaced.etag()))
                .isInstanceOf(EtagMismatchException.class);
        enrollments.delete(SCOPE, "deleted", deleted.etag());
        assertThat(enrollments.find(SCOPE, "deleted")).isEmpty();
        ProvisioningInstance moved = instances.replace(Records.withHostName(instance, "dps-2.example.net"), instance.etag());
        assertThat(instances.findByHostName("dps-2.example.net")).contains(moved);
    }

    @Test
    void aRecordWrittenDuringThePassKeepsWhatItsWriterWrote() {
        IndividualEnrollment racing = enrollments.create(SCOPE, Records.enrollment("racing"));
        enrollments.create(SCOPE, Records.enrollment("calm"));
        String rotated = kek.rotate();
        DataKeyRewrap rewrap = new DataKeyRewrap(kek);
        AtomicBoolean written = new AtomicBoolean();

        // Between the pass's read of "racing" and its replace, a writer changes it (sealing under the new version).
        DocumentRewrite pass = database.rewriteDocuments(document -> {
            if (Json.parseStored(document).path("registrationId").asText().equals("racing")
                    && written.compareAndSet(false, true)) {
                enrollments.replace(SCOPE, new IndividualEnrollment("racing", "written-meanwhile", null,
                        racing.settings(), racing.version()), racing.etag());
            }
            return rewrap.apply(document);
        });

        assertThat(written).isTrue();
        assertThat(pass).isEqualTo(new DocumentRewrite(2, 1, 1));
        assertThat(enrollments.find(SCOPE, "racing").orElseThrow().deviceId()).isEqualTo("written-meanwhile");
        assertThat(enrollments.find(SCOPE, "racing").orElseThrow().settings()).isEqualTo(racing.settings());
        assertThat(kekVersionsStored()).containsExactly(rotated);
    }

    @Test
    void throttlingIsRiddenOutAndWhatOutlastsTheRetriesStopsThePassUntilItRunsAgain() {
        for (int i = 0; i < 3; i++) {
            enrollments.create(SCOPE, Records.enrollment("device-" + i));
        }
        kek.rotate();
        int throttled = COSMOS.server().inject(Fault.throttling("enrollments").onMethod("PUT").times(2));

        assertThat(database.rewriteDocuments(new DataKeyRewrap(kek)::apply).rewritten()).isEqualTo(3);
        assertThat(COSMOS.server().answered(throttled)).isEqualTo(2);

        String rotated = kek.rotate();
        COSMOS.server().inject(Fault.unavailable("enrollments").onMethod("PUT"));
        assertThatThrownBy(() -> database.rewriteDocuments(new DataKeyRewrap(kek)::apply))
                .isInstanceOf(StoreUnavailableException.class);
        COSMOS.server().clearFaults();

        assertThat(database.rewriteDocuments(new DataKeyRewrap(kek)::apply).rewritten()).isEqualTo(3);
        assertThat(kekVersionsStored()).containsExactly(rotated);
    }

    /** The sealed primary key of an enrollment, as its item holds it. */
    private ObjectNode sealedPrimaryKey(String scope, String registrationId) {
        JsonNode item = rawItems(CosmosRecordKind.ENROLLMENT).stream()
                .filter(i -> i.path("idScope").asText().equalsIgnoreCase(scope)
                        && i.path("id").asText().equals(registrationId))
                .findFirst().orElseThrow();
        return (ObjectNode) item.at("/doc/attestation/symmetricKey/primaryKey");
    }

    private ObjectNode rawItem(CosmosRecordKind kind, String id) {
        return rawItems(kind).stream().filter(i -> i.path("id").asText().equals(id)).findFirst().orElseThrow();
    }

    /** Every item of the container, as stored. */
    private List<ObjectNode> rawItems(CosmosRecordKind kind) {
        List<ObjectNode> items = new ArrayList<>();
        database.container(kind).queryItems("SELECT * FROM c", new CosmosQueryRequestOptions(), ObjectNode.class)
                .forEach(items::add);
        return items;
    }

    /** Every {@code kek} named in any item of any container. */
    private Set<String> kekVersionsStored() {
        Set<String> versions = new TreeSet<>();
        Pattern named = Pattern.compile("\"kek\":\"([^\"]+)\"");
        for (CosmosRecordKind kind : CosmosRecordKind.values()) {
            for (ObjectNode item : rawItems(kind)) {
                Matcher matcher = named.matcher(Json.string(item));
                while (matcher.find()) {
                    versions.add(matcher.group(1));
                }
            }
        }
        return versions;
    }
}
