package dev.opendps.adapters.sqlite;

import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.EnrollmentGroupStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The EnrollmentGroupStore contract with secrets sealed, as the application runs the store. */
class SqliteEncryptedEnrollmentGroupStoreTest extends EnrollmentGroupStoreContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected EnrollmentGroupStore createStore() {
        database = EncryptedDatabases.open(dataDir);
        return new SqliteEnrollmentGroupStore(database);
    }

    @Override
    protected void releaseStore() {
        database.close();
    }
}
