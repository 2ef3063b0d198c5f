package dev.opendps.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.HubDevice;
import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.HubRegistryContract;
import dev.opendps.wire.Json;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteHubRegistryTest extends HubRegistryContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected HubRegistry createRegistry() {
        database = SqliteDatabase.open(dataDir);
        return new SqliteHubRegistry(database);
    }

    @Override
    protected void releaseRegistry() {
        database.close();
    }

    @Test
    void devicesSurviveReopeningTheDatabase() {
        HubDevice created = registry.createOrUpdate(hub, sasDevice("device-1", 1));
        database.close();

        database = SqliteDatabase.open(dataDir);

        assertThat(new SqliteHubRegistry(database).find(hub, "device-1")).contains(created);
    }

    @Test
    void theIdentityIsStoredInIotHubsShape() {
        registry.createOrUpdate(hub, sasDevice("device-1", 1));
        registry.createOrUpdate(hub, selfSignedDevice("device-2"));

        JsonNode sas = storedDocument("device-1");
        assertThat(sas.path("deviceId").asText()).isEqualTo("device-1");
        assertThat(sas.path("hubHostName").asText()).isEqualTo(hub.hostName());
        assertThat(sas.path("authentication").path("type").asText()).isEqualTo("sas");
        assertThat(sas.path("authentication").path("symmetricKey").path("primaryKey").asText())
                .isEqualTo("cHJpbWFyeS1odWItZGV2aWNlLWtleQ==");
        assertThat(sas.path("capabilities").path("iotEdge").asBoolean()).isTrue();
        assertThat(sas.path("status").asText()).isEqualTo("enabled");
        assertThat(sas.path("tags").path("site").asText()).isEqualTo("plant-7");
        assertThat(sas.path("properties").path("desired").path("telemetryIntervalSeconds").asInt()).isEqualTo(30);

        JsonNode selfSigned = storedDocument("device-2");
        assertThat(selfSigned.path("authentication").path("type").asText()).isEqualTo("selfSigned");
        assertThat(selfSigned.path("authentication").path("x509Thumbprint").path("secondaryThumbprint").asText())
                .isEqualTo("A1B2C3D4E5F60718293A4B5C6D7E8F9012345678");
        assertThat(selfSigned.path("authentication").has("symmetricKey")).isFalse();
        assertThat(selfSigned.path("capabilities").path("iotEdge").asBoolean()).isFalse();
        assertThat(selfSigned.path("status").asText()).isEqualTo("disabled");
    }

    @Test
    void timesComeFromTheRegistrysClockInMilliseconds() {
        Instant now = Instant.parse("2024-05-06T07:08:09.123456789Z");
        HubRegistry fixed = new SqliteHubRegistry(database, Clock.fixed(now, ZoneOffset.UTC));

        HubDevice created = fixed.createOrUpdate(hub, sasDevice("device-1", 1));

        assertThat(created.version().createdDateTimeUtc()).isEqualTo(Instant.parse("2024-05-06T07:08:09.123Z"));
        assertThat(fixed.find(hub, "device-1")).contains(created);
    }

    @Test
    void storedKeysAreDistinctForIdsDifferingOnlyInCaseAndUnchangedByLowerCasing() {
        List<String> ids = List.of("device-1", "Device-1", "DEVICE-1", "dev^0044ice", "^", "ä", "Ä", "a.b:c=d@e$f'g");
        Set<String> keys = new HashSet<>();
        for (String id : ids) {
            String key = SqliteHubRegistry.key(id);
            assertThat(key.toLowerCase(Locale.ROOT)).isEqualTo(key);
            assertThat(keys.add(key)).as("key of %s is unique", id).isTrue();
        }
        assertThat(SqliteHubRegistry.key("device-1")).isEqualTo("device-1");
        assertThat(SqliteHubRegistry.key("a.b:c=d@e$f'g")).isEqualTo("a.b:c=d@e$f'g");
    }

    private JsonNode storedDocument(String deviceId) {
        String document = database.read("read a document", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT document FROM documents WHERE kind = 'hubDevice' AND id_scope = ? AND id_key = ?")) {
                select.setString(1, hub.hostName().toLowerCase(Locale.ROOT));
                select.setString(2, SqliteHubRegistry.key(deviceId));
                try (ResultSet row = select.executeQuery()) {
                    assertThat(row.next()).isTrue();
                    return row.getString(1);
                }
            }
        });
        return Json.parseStored(document);
    }
}
