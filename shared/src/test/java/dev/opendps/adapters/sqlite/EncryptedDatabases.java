package dev.opendps.adapters.sqlite;

import dev.opendps.adapters.envelope.SecretEnvelope;
import dev.opendps.adapters.keys.LocalKeyFile;
import java.nio.file.Path;

/** Embedded databases whose stores seal their secrets, as the application opens them. */
final class EncryptedDatabases {
    private EncryptedDatabases() {
    }

    static SqliteDatabase open(Path dataDir) {
        SecretEnvelope envelope = new SecretEnvelope(LocalKeyFile.openOrCreate(dataDir.resolve("keys/kek.json")));
        return SqliteDatabase.open(dataDir, SqliteDatabase.DEFAULT_READER_CONNECTIONS, envelope);
    }
}
