package dev.opendps.adapters.sqlite;

import dev.opendps.domain.port.TpmChallengeStore;
import dev.opendps.domain.port.TpmChallengeStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The TpmChallengeStore contract with secrets sealed, as the application runs the store. */
class SqliteEncryptedTpmChallengeStoreTest extends TpmChallengeStoreContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected TpmChallengeStore createStore() {
        database = EncryptedDatabases.open(dataDir);
        return new SqliteTpmChallengeStore(database);
    }

    @Override
    protected void releaseStore() {
        database.close();
    }
}
