package dev.opendps.adapters.sqlite;

import dev.opendps.domain.port.HubRegistry;
import dev.opendps.domain.port.HubRegistryContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The hub registry contract with device keys sealed, as the application runs the embedded registry. */
class SqliteEncryptedHubRegistryTest extends HubRegistryContract {
    @TempDir
    Path dataDir;
    private SqliteDatabase database;

    @Override
    protected HubRegistry createRegistry() {
        database = EncryptedDatabases.open(dataDir);
        return new SqliteHubRegistry(database);
    }

    @Override
    protected void releaseRegistry() {
        database.close();
    }
}
