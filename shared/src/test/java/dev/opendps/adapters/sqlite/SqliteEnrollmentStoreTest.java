package dev.opendps.adapters.sqlite;

import dev.opendps.domain.port.EnrollmentStore;
import dev.opendps.domain.port.EnrollmentStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteEnrollmentStoreTest extends EnrollmentStoreContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected EnrollmentStore createStore() {
        database = SqliteDatabase.open(dataDir);
        return new SqliteEnrollmentStore(database);
    }

    @Override
    protected void releaseStore() {
        database.close();
    }
}
