package dev.opendps.adapters.sqlite;

import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.domain.port.EnrollmentStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The EnrollmentStore contract with secrets sealed, as the application runs the store. */
class SqliteEncryptedEnrollmentStoreTest extends EnrollmentStoreContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected EnrollmentStore createStore() {
        database = EncryptedDatabases.open(dataDir);
        return new SqliteEnrollmentStore(database);
    }

    @Override
    protected void releaseStore() {
        database.close();
    }
}
