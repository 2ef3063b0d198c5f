package dev.opendps.adapters.sqlite;

import dev.opendps.domain.port.RegistrationOperationStore;
import dev.opendps.domain.port.RegistrationOperationStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteRegistrationOperationStoreTest extends RegistrationOperationStoreContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected RegistrationOperationStore createStore() {
        database = SqliteDatabase.open(dataDir);
        return new SqliteRegistrationOperationStore(database);
    }

    @Override
    protected void releaseStore() {
        database.close();
    }
}
