package dev.opendps.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.SymmetricKeyAttestation;
import dev.opendps.domain.port.Records;
import dev.opendps.domain.port.SecretProtectionException;
import dev.opendps.wire.Json;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the embedded store keeps secrets: sealed when written, legacy plaintext still read, tampering caught. */
class SqliteSecretsAtRestTest {
    private static final String SCOPE = "0ne00000001";

    @TempDir
    Path dataDir;

    private static String primaryKey(IndividualEnrollment enrollment) {
        return ((SymmetricKeyAttestation) enrollment.settings().attestation()).primaryKey();
    }

    @Test
    void anEnrollmentIsStoredWithItsKeysSealed() {
        try (SqliteDatabase database = EncryptedDatabases.open(dataDir)) {
            IndividualEnrollment created = new SqliteEnrollmentStore(database).create(SCOPE, Records.enrollment("dev-1"));

            String document = rawDocument(database, "dev-1");
            assertThat(document).doesNotContain(primaryKey(created));
            ObjectNode sealed = (ObjectNode) Json.parseStored(document).at("/attestation/symmetricKey/primaryKey");
            assertThat(sealed.get("enc").asText()).isEqualTo("v1");
            assertThat(sealed.get("kek").asText()).isEqualTo("local:1");
            assertThat(new SqliteEnrollmentStore(database).find(SCOPE, "dev-1")).contains(created);
        }
    }

    @Test
    void aLegacyPlaintextDocumentIsReadAndSealedWhenNextWritten() {
        IndividualEnrollment legacy;
        try (SqliteDatabase plain = SqliteDatabase.open(dataDir)) {
            legacy = new SqliteEnrollmentStore(plain).create(SCOPE, Records.enrollment("dev-1"));
            assertThat(rawDocument(plain, "dev-1")).contains(primaryKey(legacy));
        }

        try (SqliteDatabase database = EncryptedDatabases.open(dataDir)) {
            SqliteEnrollmentStore store = new SqliteEnrollmentStore(database);
            assertThat(store.find(SCOPE, "dev-1")).contains(legacy);

            IndividualEnrollment rewritten = store.replace(SCOPE, legacy, legacy.etag());

            assertThat(rawDocument(database, "dev-1")).doesNotContain(primaryKey(legacy)).contains("\"enc\":\"v1\"");
            assertThat(primaryKey(store.find(SCOPE, "dev-1").orElseThrow())).isEqualTo(primaryKey(rewritten))
                    .isEqualTo(primaryKey(legacy));
        }
    }

    @Test
    void alteredCiphertextIsAClearErrorNamingTheRecord() {
        try (SqliteDatabase database = EncryptedDatabases.open(dataDir)) {
            new SqliteEnrollmentStore(database).create(SCOPE, Records.enrollment("dev-1"));
            ObjectNode document = Json.parseStored(rawDocument(database, "dev-1"));
            ObjectNode sealed = (ObjectNode) document.at("/attestation/symmetricKey/primaryKey");
            byte[] ciphertext = Base64.getDecoder().decode(sealed.get("ct").asText());
            ciphertext[ciphertext.length - 1] ^= 0x40;
            sealed.put("ct", Base64.getEncoder().encodeToString(ciphertext));
            writeRawDocument(database, "dev-1", Json.string(document));

            SqliteEnrollmentStore store = new SqliteEnrollmentStore(database);
            assertThatThrownBy(() -> store.find(SCOPE, "dev-1"))
                    .isInstanceOf(SecretProtectionException.class)
                    .hasMessageContaining("enrollment 'dev-1'")
                    .hasMessageContaining("attestation.symmetricKey.primaryKey")
                    .hasMessageContaining("failed authentication");
        }
    }

    private static String rawDocument(SqliteDatabase database, String id) {
        return database.read("read a raw document", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT document FROM documents WHERE kind = 'enrollment' AND id_scope = ? AND id_key = ?")) {
                select.setString(1, SqliteDatabase.key(SCOPE));
                select.setString(2, SqliteDatabase.key(id));
                try (ResultSet row = select.executeQuery()) {
                    assertThat(row.next()).isTrue();
                    return row.getString(1);
                }
            }
        });
    }

    private static void writeRawDocument(SqliteDatabase database, String id, String document) {
        database.write("alter a raw document", connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE documents SET document = ? WHERE kind = 'enrollment' AND id_scope = ? AND id_key = ?")) {
                update.setString(1, document);
                update.setString(2, SqliteDatabase.key(SCOPE));
                update.setString(3, SqliteDatabase.key(id));
                return update.executeUpdate();
            }
        });
    }
}
