package dev.opendps.adapters.sqlite;

import dev.opendps.domain.port.CaCertificateStore;
import dev.opendps.domain.port.CaCertificateStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteCaCertificateStoreTest extends CaCertificateStoreContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected CaCertificateStore createStore() {
        database = SqliteDatabase.open(dataDir);
        return new SqliteCaCertificateStore(database);
    }

    @Override
    protected void releaseStore() {
        database.close();
    }
}
