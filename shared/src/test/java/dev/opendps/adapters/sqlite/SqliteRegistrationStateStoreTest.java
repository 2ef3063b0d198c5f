package dev.opendps.adapters.sqlite;

import dev.opendps.domain.port.RegistrationStateStore;
import dev.opendps.domain.port.RegistrationStateStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteRegistrationStateStoreTest extends RegistrationStateStoreContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected RegistrationStateStore createStore() {
        database = SqliteDatabase.open(dataDir);
        return new SqliteRegistrationStateStore(database);
    }

    @Override
    protected void releaseStore() {
        database.close();
    }
}
