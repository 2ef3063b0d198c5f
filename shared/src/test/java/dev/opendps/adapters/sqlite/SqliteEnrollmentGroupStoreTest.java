package dev.opendps.adapters.sqlite;

import dev.opendps.domain.port.EnrollmentGroupStore;
import dev.opendps.domain.port.EnrollmentGroupStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteEnrollmentGroupStoreTest extends EnrollmentGroupStoreContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected EnrollmentGroupStore createStore() {
        database = SqliteDatabase.open(dataDir);
        return new SqliteEnrollmentGroupStore(database);
    }

    @Override
    protected void releaseStore() {
        database.close();
    }
}
