package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.adapters.keys.LocalKeyFile;
import dev.opendps.app.ProvisioningApplication;
import dev.opendps.app.Stores;
import dev.opendps.config.AppSettings;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.SharedAccessPolicy;
import dev.opendps.domain.SymmetricKeyAttestation;
import dev.opendps.domain.SymmetricKeys;
import dev.opendps.domain.auth.SharedAccessSignature;
import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.testing.SoftwareTpm;
import dev.opendps.wire.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets at rest, through the real application: no key or connection string is found in what the store holds,
 * everything still reads back, the KEK can be rotated under load with nothing lost, and once the stored data keys
 * are re-wrapped the older versions can be retired. Here on the embedded store (its database and WAL file) with
 * the local key file; {@link KeyVaultSecretsAtRestTest} runs the same with the Key Vault key,
 * {@link CosmosSecretsAtRestTest} on Cosmos DB, {@link CosmosKeyVaultSecretsAtRestTest} on both.
 */
class SecretsAtRestTest {
    private static final String HUB_A = "hub-a.azure-devices.net";
    private static final String HUB_B = "hub-b.azure-devices.net";

    @TempDir
    Path dataDir;

    ServiceApiFixture dps;
    final String hubKeyA = SymmetricKeys.generate();
    final String hubKeyB = SymmetricKeys.generate();

    @AfterEach
    void stop() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    /**
     * The key-encryption key a test runs with: the settings that choose it, how a process opens it, how its versions
     * are named, and how an operator retires a version once nothing needs it.
     */
    interface KekUnderTest {
        Map<String, String> settings();

        KeyEncryptionKey open(AppSettings settings);

        String versionPrefix();

        void retire(AppSettings settings, String version) throws Exception;
    }

    /** The local key file (no settings: the default file in the data folder); a version is retired by removing it. */
    static final KekUnderTest LOCAL_KEY_FILE = new KekUnderTest() {
        @Override
        public Map<String, String> settings() {
            return Map.of();
        }

        @Override
        public KeyEncryptionKey open(AppSettings settings) {
            return ProvisioningApplication.keyEncryptionKey(settings);
        }

        @Override
        public String versionPrefix() {
            return LocalKeyFile.PREFIX;
        }

        @Override
        public void retire(AppSettings settings, String version) throws Exception {
            Path file = ProvisioningApplication.kekFile(settings);
            ObjectNode keys = Json.parseObject(Files.readAllBytes(file));
            int number = Integer.parseInt(version.substring(LocalKeyFile.PREFIX.length()));
            ArrayNode versions = (ArrayNode) keys.get("versions");
            for (int i = versions.size() - 1; i >= 0; i--) {
                if (versions.get(i).get("version").asInt() == number) {
                    versions.remove(i);
                }
            }
            Files.write(file, Json.bytes(keys));
        }
    };

    /** The key-encryption key of this test class. */
    protected KekUnderTest kek() {
        return LOCAL_KEY_FILE;
    }

    private KeyEncryptionKey openKek(AppSettings settings) {
        return kek().open(settings);
    }

    /** The settings that choose the store (none: the embedded store in the data folder). */
    protected Map<String, String> storeSettings() {
        return Map.of();
    }

    /** Every document the store holds (records and instances), as stored. */
    protected List<String> storedDocuments() throws Exception {
        return embeddedDocuments(dataDir);
    }

    /** Every document the embedded store in {@code dataDir} holds: records and instances. */
    private static List<String> embeddedDocuments(Path dataDir) throws Exception {
        List<String> documents = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("opendps.db"));
             Statement select = connection.createStatement();
             ResultSet rows = select.executeQuery("SELECT document FROM documents UNION ALL"
                     + " SELECT document FROM instances")) {
            while (rows.next()) {
                documents.add(rows.getString(1));
            }
        }
        return documents;
    }

    /** The enrollment {@code id}'s document as stored. */
    protected String storedEnrollment(String id) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("opendps.db"));
             Statement select = connection.createStatement();
             ResultSet rows = select.executeQuery("SELECT document FROM documents WHERE kind = 'enrollment'"
                     + " AND id_key = '" + id + "'")) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }

    /**
     * All the bytes the store keeps, as a scan for plaintext must see them: here the database file and, while it
     * is open, its write-ahead log (which hold what documents were before, too).
     */
    protected byte[] storedBytes() throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (String name : List.of("opendps.db", "opendps.db-wal")) {
            Path file = dataDir.resolve(name);
            if (Files.exists(file)) {
                all.write(Files.readAllBytes(file));
            }
        }
        assertThat(all.size()).isGreaterThan(0);
        return all.toByteArray();
    }

    /** The settings a process of this test runs with: the store's and the key-encryption key's. */
    private Map<String, String> extraSettings() {
        Map<String, String> all = new HashMap<>(storeSettings());
        all.putAll(kek().settings());
        return all;
    }

    protected final AppSettings settings() {
        return ServiceApiFixture.settings(dataDir, extraSettings());
    }

    protected final void start() {
        dps = new ServiceApiFixture(dataDir, extraSettings(), Clock.systemUTC(), stores -> stores,
                List.of(new LinkedHub(HUB_A, 1, true, connectionString(HUB_A, hubKeyA)),
                        new LinkedHub(HUB_B, 1, true, connectionString(HUB_B, hubKeyB))), this::openKek);
    }

    private static String connectionString(String host, String key) {
        return "HostName=" + host + ";SharedAccessKeyName=iothubowner;SharedAccessKey=" + key;
    }

    @Test
    void noSecretIsStoredInPlaintextAndEverythingReadsBack() throws Exception {
        start();
        String scope = dps.instance.idScope();
        String primary = SymmetricKeys.generate();
        String secondary = SymmetricKeys.generate();
        putEnrollment("dev-1", primary, secondary);
        String groupPrimary = SymmetricKeys.generate();
        String groupSecondary = SymmetricKeys.generate();
        putGroup("group-1", groupPrimary, groupSecondary);
        String deviceKey = SymmetricKeys.deriveDeviceKey(groupPrimary, "group-dev-1");
        assertThat(register(scope, "dev-1", primary).status()).isEqualTo(202);
        assertThat(register(scope, "group-dev-1", deviceKey).status()).isEqualTo(202);
        byte[] challengeKey = tpmChallenge(scope, "tpm-1");

        List<String> secrets = new ArrayList<>(List.of(primary, secondary, groupPrimary, groupSecondary, deviceKey,
                hubKeyA, hubKeyB, Base64.getEncoder().encodeToString(challengeKey)));
        for (SharedAccessPolicy policy : dps.instance.policies()) {
            secrets.add(policy.primaryKey());
            secrets.add(policy.secondaryKey());
        }
        assertNoSecretIn(storedBytes(), secrets, challengeKey);

        // Everything reads back: through the API, and straight from the stores.
        JsonNode enrollment = body(dps.api.individualEnrollment(dps.owner("GET").build(), "dev-1"));
        assertThat(enrollment.at("/attestation/symmetricKey/primaryKey").asText()).isEqualTo(primary);
        assertThat(enrollment.at("/attestation/symmetricKey/secondaryKey").asText()).isEqualTo(secondary);
        JsonNode group = body(dps.api.enrollmentGroup(dps.owner("GET").build(), "group-1"));
        assertThat(group.at("/attestation/symmetricKey/primaryKey").asText()).isEqualTo(groupPrimary);
        ProvisioningInstance instance = dps.application.stores().instances().findByIdScope(scope).orElseThrow();
        assertThat(instance.policies()).isEqualTo(dps.instance.policies());
        assertThat(instance.linkedHubs()).extracting(LinkedHub::connectionString)
                .containsExactlyInAnyOrder(connectionString(HUB_A, hubKeyA), connectionString(HUB_B, hubKeyB));
        assertThat(dps.application.stores().tpmChallenges().find(scope, "tpm-1").orElseThrow().key())
                .isEqualTo(Base64.getEncoder().encodeToString(challengeKey));

        // And after a checkpoint folds the WAL into the database file.
        dps.close();
        dps = null;
        assertNoSecretIn(storedBytes(), secrets, challengeKey);
    }

    @Test
    void rotatingTheKekWhileDevicesRegisterLosesNothing() throws Exception {
        start();
        String scope = dps.instance.idScope();
        AppSettings settings = settings();
        Map<String, String> keys = new ConcurrentHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<?>> work = new ArrayList<>();
        List<String> rotated = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                int thread = t;
                work.add(threads.submit(() -> {
                    for (int i = 0; !done.get(); i++) {
                        String id = "dev-" + thread + "-" + i;
                        String key = SymmetricKeys.generate();
                        putEnrollment(id, key, SymmetricKeys.generate());
                        assertThat(register(scope, id, key).status()).as(id).isEqualTo(202);
                        keys.put(id, key);
                        Thread.sleep(20);
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 3; r++) {
                Thread.sleep(600);
                // As a maintenance task would: its own process's view of the key, rotated, then a re-wrap pass.
                rotated.add(ProvisioningApplication.rotateKeyEncryptionKey(settings, openKek(settings)));
            }
            Thread.sleep(1500); // the running application notices the last rotation (file: 1 s; Key Vault here: 0.2 s)
            done.set(true);
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(rotated).hasSize(3).doesNotHaveDuplicates().allMatch(version -> version.startsWith(kek().versionPrefix()));

        // What the application sealed before it noticed the last rotation moves on the next pass; nothing is left.
        ProvisioningApplication.DataKeysRewrapped pass = ProvisioningApplication.rewrapDataKeys(settings,
                openKek(settings));
        assertThat(pass.version()).isEqualTo(rotated.get(2));
        assertThat(pass.unreadable()).isZero();
        assertThat(kekVersionsStored()).containsExactly(rotated.get(2));

        assertThat(keys).hasSizeGreaterThan(20);
        for (Map.Entry<String, String> entry : keys.entrySet()) {
            JsonNode enrollment = body(dps.api.individualEnrollment(dps.owner("GET").build(), entry.getKey()));
            assertThat(enrollment.at("/attestation/symmetricKey/primaryKey").asText()).isEqualTo(entry.getValue());
            assertThat(dps.application.stores().registrationStates().find(scope, entry.getKey())).isPresent();
            assertThat(register(scope, entry.getKey(), entry.getValue()).status()).isEqualTo(202);
        }
        assertThat(dps.application.stores().instances().findByIdScope(scope).orElseThrow().linkedHubs())
                .extracting(LinkedHub::connectionString)
                .containsExactlyInAnyOrder(connectionString(HUB_A, hubKeyA), connectionString(HUB_B, hubKeyB));
    }

    @Test
    void reWrappingMovesDataKeysWithoutChangingARecordOrItsEtag() throws Exception {
        start();
        String primary = SymmetricKeys.generate();
        putEnrollment("dev-1", primary, SymmetricKeys.generate());
        JsonNode before = body(dps.api.individualEnrollment(dps.owner("GET").build(), "dev-1"));
        String sealedBefore = storedEnrollment("dev-1");
        AppSettings settings = settings();

        String rotated = ProvisioningApplication.rotateKeyEncryptionKey(settings, openKek(settings));

        String sealedAfter = storedEnrollment("dev-1");
        JsonNode secretBefore = Json.parseStored(sealedBefore).at("/attestation/symmetricKey/primaryKey");
        JsonNode secretAfter = Json.parseStored(sealedAfter).at("/attestation/symmetricKey/primaryKey");
        assertThat(secretAfter.get("kek").asText()).isEqualTo(rotated).isNotEqualTo(secretBefore.get("kek").asText());
        assertThat(secretAfter.get("dk")).isNotEqualTo(secretBefore.get("dk"));
        // The ciphertext is untouched: only the data key's wrapping changed.
        assertThat(secretAfter.get("iv")).isEqualTo(secretBefore.get("iv"));
        assertThat(secretAfter.get("ct")).isEqualTo(secretBefore.get("ct"));
        JsonNode after = body(dps.api.individualEnrollment(dps.owner("GET").build(), "dev-1"));
        assertThat(after).isEqualTo(before);
        assertThat(after.at("/attestation/symmetricKey/primaryKey").asText()).isEqualTo(primary);
        // A second pass has nothing left to do.
        ProvisioningApplication.DataKeysRewrapped again = ProvisioningApplication.rewrapDataKeys(settings,
                openKek(settings));
        assertThat(again.rewritten()).isZero();
        assertThat(again.documents()).isPositive();
        // A client holding the etag from before the re-wrap still updates the record with it.
        ApiResponse update = dps.api.individualEnrollment(dps.owner("PUT").header("If-Match",
                before.get("etag").asText()).json("{\"registrationId\":\"dev-1\",\"attestation\":{\"type\":"
                + "\"symmetricKey\",\"symmetricKey\":{\"primaryKey\":\"" + primary + "\",\"secondaryKey\":\""
                + SymmetricKeys.generate() + "\"}}}").build(), "dev-1");
        assertThat(update.status()).as(new String(update.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    }

    @Test
    void onceReWrappedTheOlderVersionsCanBeRetiredAndEverythingStillReads() throws Exception {
        start();
        String scope = dps.instance.idScope();
        String primary = SymmetricKeys.generate();
        putEnrollment("dev-1", primary, SymmetricKeys.generate());
        String groupPrimary = SymmetricKeys.generate();
        putGroup("group-1", groupPrimary, SymmetricKeys.generate());
        String deviceKey = SymmetricKeys.deriveDeviceKey(groupPrimary, "group-dev-1");
        String hub = body(register(scope, "dev-1", primary)).at("/registrationState/assignedHub").asText();
        assertThat(register(scope, "group-dev-1", deviceKey).status()).isEqualTo(202);
        byte[] challengeKey = tpmChallenge(scope, "tpm-1");
        List<SharedAccessPolicy> policies = dps.instance.policies();
        JsonNode sealedBefore = Json.parseStored(storedEnrollment("dev-1")).at("/attestation/symmetricKey/primaryKey");
        AppSettings settings = settings();

        String rotated = ProvisioningApplication.rotateKeyEncryptionKey(settings, openKek(settings));
        assertThat(kekVersionsStored()).containsExactly(rotated);
        dps.close(); // its unwrapped data keys are cached: the next process starts with none
        dps = null;
        kek().retire(settings, sealedBefore.get("kek").asText());

        KeyEncryptionKey kek = openKek(settings);
        assertThat(catchThrowable(() -> kek.unwrap(sealedBefore.get("kek").asText(),
                Base64.getDecoder().decode(sealedBefore.get("dk").asText())))).as("the old version is retired")
                .isInstanceOf(RuntimeException.class);
        // A process started now, with only the current version, reads every record and serves devices as before.
        try (ProvisioningApplication application = ProvisioningApplication.create(settings,
                ProvisioningApplication.openStores(settings, kek), Clock.systemUTC())) {
            Stores stores = application.stores();
            assertThat(stores.enrollments().find(scope, "dev-1").orElseThrow().settings().attestation())
                    .isInstanceOfSatisfying(SymmetricKeyAttestation.class,
                            keys -> assertThat(keys.primaryKey()).isEqualTo(primary));
            assertThat(stores.enrollmentGroups().find(scope, "group-1").orElseThrow().settings().attestation())
                    .isInstanceOfSatisfying(SymmetricKeyAttestation.class,
                            keys -> assertThat(keys.primaryKey()).isEqualTo(groupPrimary));
            ProvisioningInstance instance = stores.instances().findByIdScope(scope).orElseThrow();
            assertThat(instance.policies()).isEqualTo(policies);
            assertThat(instance.linkedHubs()).extracting(LinkedHub::connectionString)
                    .containsExactlyInAnyOrder(connectionString(HUB_A, hubKeyA), connectionString(HUB_B, hubKeyB));
            assertThat(stores.registrationStates().find(scope, "dev-1")).isPresent();
            assertThat(stores.registrationStates().find(scope, "group-dev-1")).isPresent();
            assertThat(stores.hubs().find(new LinkedHub(hub, 1, true, null), "dev-1").orElseThrow()
                    .authentication().primaryKey()).isEqualTo(primary);
            assertThat(stores.tpmChallenges().find(scope, "tpm-1").orElseThrow().key())
                    .isEqualTo(Base64.getEncoder().encodeToString(challengeKey));
            assertThat(call(application, scope, "dev-1", registrationToken(scope, "dev-1", primary),
                    "{\"registrationId\":\"dev-1\"}").status()).isEqualTo(202);
        }
    }

    private void putEnrollment(String id, String primary, String secondary) {
        ApiResponse response = dps.api.individualEnrollment(dps.owner("PUT").json("{\"registrationId\":\"" + id
                + "\",\"attestation\":{\"type\":\"symmetricKey\",\"symmetricKey\":{\"primaryKey\":\"" + primary
                + "\",\"secondaryKey\":\"" + secondary + "\"}}}").build(), id);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    }

    private void putGroup(String id, String primary, String secondary) {
        ApiResponse response = dps.api.enrollmentGroup(dps.owner("PUT").json("{\"enrollmentGroupId\":\"" + id
                + "\",\"attestation\":{\"type\":\"symmetricKey\",\"symmetricKey\":{\"primaryKey\":\"" + primary
                + "\",\"secondaryKey\":\"" + secondary + "\"}}}").build(), id);
        assertThat(response.status()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    }

    private ApiResponse register(String scope, String registrationId, String base64Key) {
        return call(scope, registrationId, registrationToken(scope, registrationId, base64Key),
                "{\"registrationId\":\"" + registrationId + "\"}");
    }

    private static String registrationToken(String scope, String registrationId, String base64Key) {
        return SharedAccessSignature.sign(scope + "/registrations/" + registrationId,
                SharedAccessSignature.decodeKey(base64Key), Instant.now().plus(Duration.ofHours(1)), "registration");
    }

    private ApiResponse call(String scope, String registrationId, String authorization, String body) {
        return call(dps.application, scope, registrationId, authorization, body);
    }

    private static ApiResponse call(ProvisioningApplication application, String scope, String registrationId,
                                    String authorization, String body) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json; charset=utf-8");
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        return application.deviceApi().register(new ApiRequest("PUT", headers,
                Map.of("api-version", "2019-03-31"), body.getBytes(StandardCharsets.UTF_8)), scope, registrationId);
    }

    /** Enrolls a software TPM and starts its registration: the server stores the challenge key it issued. */
    private byte[] tpmChallenge(String scope, String registrationId) {
        SoftwareTpm tpm = SoftwareTpm.create();
        Base64.Encoder b64 = Base64.getEncoder();
        ApiResponse enrolled = dps.api.individualEnrollment(dps.owner("PUT").json("{\"registrationId\":\""
                + registrationId + "\",\"attestation\":{\"type\":\"tpm\",\"tpm\":{\"endorsementKey\":\""
                + b64.encodeToString(tpm.endorsementKey()) + "\"}}}").build(), registrationId);
        assertThat(enrolled.status()).isEqualTo(200);
        ApiResponse challenge = call(scope, registrationId, null, "{\"registrationId\":\"" + registrationId
                + "\",\"tpm\":{\"endorsementKey\":\"" + b64.encodeToString(tpm.endorsementKey())
                + "\",\"storageRootKey\":\"" + b64.encodeToString(tpm.storageRootKey()) + "\"}}");
        assertThat(challenge.status()).isEqualTo(401);
        return tpm.activate(Base64.getDecoder().decode(body(challenge).get("authenticationKey").asText())).hmacKey();
    }

    private static void assertNoSecretIn(byte[] stored, List<String> base64Secrets, byte[] challengeKey) {
        String text = new String(stored, StandardCharsets.ISO_8859_1);
        for (String secret : base64Secrets) {
            assertThat(text).as("a stored secret in base64").doesNotContain(secret);
            String raw = new String(Base64.getDecoder().decode(secret), StandardCharsets.ISO_8859_1);
            assertThat(text).as("a stored secret's raw bytes").doesNotContain(raw);
        }
        assertThat(text).doesNotContain(new String(challengeKey, StandardCharsets.ISO_8859_1));
        assertThat(text).contains("\"enc\":\"v1\"");
    }

    /** Every {@code kek} named in what the store holds. */
    private Set<String> kekVersionsStored() throws Exception {
        return kekVersionsIn(storedDocuments());
    }

    /** Every {@code kek} named in the embedded store in {@code dataDir}: records and instances. */
    static Set<String> kekVersionsStored(Path dataDir) throws Exception {
        return kekVersionsIn(embeddedDocuments(dataDir));
    }

    private static Set<String> kekVersionsIn(List<String> documents) {
        Set<String> versions = new TreeSet<>();
        Pattern kek = Pattern.compile("\"kek\":\"([^\"]+)\"");
        for (String document : documents) {
            Matcher matcher = kek.matcher(document);
            while (matcher.find()) {
                versions.add(matcher.group(1));
            }
        }
        return versions;
    }
}
