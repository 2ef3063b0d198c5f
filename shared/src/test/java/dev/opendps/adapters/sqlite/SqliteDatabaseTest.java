package dev.opendps.adapters.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.RegistrationOperation;
import dev.opendps.domain.port.Records;
import dev.opendps.domain.port.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDatabaseTest {
    private static final String SCOPE = "0ne00000A1B";

    @TempDir
    Path tempDir;

    @Test
    void aVersionOneStoreIsMigratedWithItsRecords() throws Exception {
        Path folder = tempDir.resolve("v1");
        Files.createDirectories(folder);
        IndividualEnrollment enrollment = Records.enrollment("Legacy-Device");
        String document = dev.opendps.wire.StorageCodecs.enrollments().encode(enrollment.withVersion(
                enrollment.version().withEtag("etag-from-v1")));
        try (Connection v1 = java.sql.DriverManager.getConnection("jdbc:sqlite:" + folder.resolve(SqliteDatabase.FILE_NAME));
             Statement statement = v1.createStatement()) {
            statement.execute("CREATE TABLE documents (kind TEXT NOT NULL, id_scope TEXT NOT NULL, id_key TEXT NOT NULL,"
                    + " etag TEXT NOT NULL, document TEXT NOT NULL, secondary_key TEXT, expires_at INTEGER,"
                    + " PRIMARY KEY (kind, id_scope, id_key)) WITHOUT ROWID");
            statement.execute("CREATE TABLE instances (id_scope_key TEXT NOT NULL PRIMARY KEY,"
                    + " host_name_key TEXT NOT NULL UNIQUE, etag TEXT NOT NULL, document TEXT NOT NULL)");
            try (var insert = v1.prepareStatement("INSERT INTO documents (kind, id_scope, id_key, etag, document)"
                    + " VALUES ('enrollment', '0ne00000001', 'legacy-device', 'etag-from-v1', ?)")) {
                insert.setString(1, document);
                insert.executeUpdate();
            }
            statement.execute("PRAGMA user_version = 1");
        }

        try (SqliteDatabase database = SqliteDatabase.open(folder)) {
            SqliteEnrollmentStore store = new SqliteEnrollmentStore(database);
            assertThat(store.find("0ne00000001", "legacy-device")).get()
                    .extracting(IndividualEnrollment::etag).isEqualTo("etag-from-v1");
            assertThatThrownBy(() -> store.create("0ne00000001", enrollment))
                    .isInstanceOf(dev.opendps.domain.port.RecordAlreadyExistsException.class);
            String version = database.read("read version", c -> pragma(c, "user_version"));
            assertThat(version).isEqualTo(String.valueOf(SqliteDatabase.SCHEMA_VERSION));
        }
    }

    @Test
    void opensOpendpsDbInTheDataFolderCreatingTheFolder() {
        Path dataDir = tempDir.resolve("nested/data");

        try (SqliteDatabase database = SqliteDatabase.open(dataDir)) {
            assertThat(database.file()).isEqualTo(dataDir.resolve("opendps.db"));
            assertThat(Files.isRegularFile(database.file())).isTrue();
        }
    }

    @Test
    void readersAndTheWriterRunInWalModeWithSynchronousNormalAndABusyTimeout() {
        SqliteDatabase.SqlWork<String> settings =
                c -> pragma(c, "journal_mode") + " " + pragma(c, "synchronous") + " " + pragma(c, "busy_timeout");

        try (SqliteDatabase database = SqliteDatabase.open(tempDir)) {
            // synchronous 1 is NORMAL
            assertThat(database.read("read settings", settings)).isEqualTo("wal 1 5000");
            assertThat(database.write("read settings", settings)).isEqualTo("wal 1 5000");
        }
    }

    @Test
    void theSchemaIsCreatedOnceAndVersioned() {
        SqliteDatabase.open(tempDir).close();

        try (SqliteDatabase database = SqliteDatabase.open(tempDir)) {
            String version = database.read("read version", c -> pragma(c, "user_version"));
            assertThat(version).isEqualTo(String.valueOf(SqliteDatabase.SCHEMA_VERSION));
        }
    }

    @Test
    void aDatabaseOfANewerSchemaIsRefused() {
        try (SqliteDatabase database = SqliteDatabase.open(tempDir)) {
            database.write("pretend to be newer", c -> {
                try (Statement statement = c.createStatement()) {
                    return statement.execute("PRAGMA user_version = " + (SqliteDatabase.SCHEMA_VERSION + 1));
                }
            });
        }

        assertThatThrownBy(() -> SqliteDatabase.open(tempDir))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("newer");
    }

    @Test
    void recordsOfEveryKindSurviveClosingAndReopening() {
        IndividualEnrollment enrollment;
        EnrollmentGroup group;
        DeviceRegistrationState state;
        RegistrationOperation operation;
        ProvisioningInstance instance;
        try (SqliteDatabase database = SqliteDatabase.open(tempDir)) {
            enrollment = new SqliteEnrollmentStore(database).create(SCOPE, Records.enrollment("device-1"));
            group = new SqliteEnrollmentGroupStore(database).create(SCOPE, Records.enrollmentGroup("group-1"));
            state = new SqliteRegistrationStateStore(database).create(SCOPE,
                    Records.registrationState("device-2", "group-1"));
            operation = new SqliteRegistrationOperationStore(database).create(SCOPE,
                    Records.registrationOperation("operation-1"));
            instance = new SqliteInstanceStore(database).create(Records.instance("tenant.example.net", SCOPE));
        }

        try (SqliteDatabase database = SqliteDatabase.open(tempDir)) {
            assertThat(new SqliteEnrollmentStore(database).find(SCOPE, "device-1")).contains(enrollment);
            assertThat(new SqliteEnrollmentGroupStore(database).find(SCOPE, "group-1")).contains(group);
            assertThat(new SqliteRegistrationStateStore(database).listByEnrollmentGroup(SCOPE, "group-1", 0, null)
                    .items()).containsExactly(state);
            assertThat(new SqliteRegistrationOperationStore(database).find(SCOPE, "operation-1")).contains(operation);
            assertThat(new SqliteInstanceStore(database).findByHostName("tenant.example.net")).contains(instance);
        }
    }

    @Test
    void aClosedDatabaseRefusesWork() {
        SqliteDatabase database = SqliteDatabase.open(tempDir);
        SqliteEnrollmentStore store = new SqliteEnrollmentStore(database);
        database.close();
        database.close();

        assertThatThrownBy(() -> store.find(SCOPE, "device-1")).isInstanceOf(StoreException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> store.create(SCOPE, Records.enrollment("device-1")))
                .isInstanceOf(StoreException.class).hasMessageContaining("closed");
    }

    private static String pragma(Connection connection, String name) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("PRAGMA " + name)) {
            row.next();
            return row.getString(1);
        }
    }
}
