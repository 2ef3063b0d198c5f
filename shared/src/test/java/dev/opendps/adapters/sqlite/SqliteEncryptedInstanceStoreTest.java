package dev.opendps.adapters.sqlite;

import dev.opendps.domain.port.InstanceStore;
import dev.opendps.domain.port.InstanceStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The InstanceStore contract with secrets sealed, as the application runs the store. */
class SqliteEncryptedInstanceStoreTest extends InstanceStoreContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected InstanceStore createStore() {
        database = EncryptedDatabases.open(dataDir);
        return new SqliteInstanceStore(database);
    }

    @Override
    protected void releaseStore() {
        database.close();
    }
}
