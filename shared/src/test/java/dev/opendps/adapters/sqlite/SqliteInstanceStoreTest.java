package dev.opendps.adapters.sqlite;

import dev.opendps.domain.port.InstanceStore;
import dev.opendps.domain.port.InstanceStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteInstanceStoreTest extends InstanceStoreContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected InstanceStore createStore() {
        database = SqliteDatabase.open(dataDir);
        return new SqliteInstanceStore(database);
    }

    @Override
    protected void releaseStore() {
        database.close();
    }
}
