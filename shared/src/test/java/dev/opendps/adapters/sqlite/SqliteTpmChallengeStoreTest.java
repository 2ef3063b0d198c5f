package dev.opendps.adapters.sqlite;

import dev.opendps.domain.port.TpmChallengeStore;
import dev.opendps.domain.port.TpmChallengeStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteTpmChallengeStoreTest extends TpmChallengeStoreContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected TpmChallengeStore createStore() {
        database = SqliteDatabase.open(dataDir);
        return new SqliteTpmChallengeStore(database);
    }

    @Override
    protected void releaseStore() {
        database.close();
    }
}
