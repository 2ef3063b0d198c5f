package dev.opendps.adapters.sqlite;

import dev.opendps.adapters.DocumentProtection;
import dev.opendps.adapters.DocumentRewrite;
import dev.opendps.domain.port.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.HashMap;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.sqlite.SQLiteConfig;

/**
 * The embedded store's database: the file {@code <dataDir>/opendps.db}, in WAL mode with
 * {@code synchronous=NORMAL} (a crash may lose the last commits, never corrupt the file).
 *
 * <p>Concurrency: one writer connection behind a fair lock, and a small pool of reader connections. WAL lets
 * readers run beside the one writer SQLite allows; queueing writes in the process keeps them in arrival
 * order instead of having several write connections spin in SQLite's sleeping busy handler. The busy timeout
 * is still set, for another process that opens the same file (the sqlite3 shell, a second host).
 *
 * <p>The schema is created on open and versioned with {@code PRAGMA user_version}: {@link #MIGRATIONS} step
 * {@code n} brings a database from version {@code n} to {@code n + 1}, so later versions only append steps.
 */
public final class SqliteDatabase implements AutoCloseable {
    /** The name of the database file inside the data folder. */
    public static final String FILE_NAME = "opendps.db";
    /** Reader connections opened at most, by default: enough for the hosts' worker threads to rarely wait. */
    public static final int DEFAULT_READER_CONNECTIONS = 8;

    static final int BUSY_TIMEOUT_MILLIS = 5_000;
    private static final long BORROW_TIMEOUT_SECONDS = 30;
    /** Documents read and rewritten together by {@link #rewriteDocuments}. */
    private static final int REWRITE_PAGE = 200;

    private static final List<List<String>> MIGRATIONS = List.of(
            // 0 -> 1: documents of the versioned stores, and instances.
            List.of(
                    "CREATE TABLE IF NOT EXISTS documents ("
                            + " kind TEXT NOT NULL,"
                            + " id_scope TEXT NOT NULL,"
                            + " id_key TEXT NOT NULL,"
                            + " etag TEXT NOT NULL,"
                            + " document TEXT NOT NULL,"
                            + " secondary_key TEXT,"
                            + " expires_at INTEGER,"
                            + " PRIMARY KEY (kind, id_scope, id_key)"
                            + ") WITHOUT ROWID",
                    "CREATE INDEX IF NOT EXISTS documents_by_secondary_key"
                            + " ON documents (kind, id_scope, secondary_key, id_key) WHERE secondary_key IS NOT NULL",
                    "CREATE INDEX IF NOT EXISTS documents_by_expiry"
                            + " ON documents (kind, expires_at) WHERE expires_at IS NOT NULL",
                    "CREATE TABLE IF NOT EXISTS instances ("
                            + " id_scope_key TEXT NOT NULL PRIMARY KEY,"
                            + " host_name_key TEXT NOT NULL UNIQUE,"
                            + " etag TEXT NOT NULL,"
                            + " document TEXT NOT NULL"
                            + ")"),
            // 1 -> 2: documents become a rowid table with a unique key index. Rows are JSON of about a kilobyte;
            // in a WITHOUT ROWID table they made every insert split wide key pages, and inserts slowed as the
            // store grew. Appending by rowid keeps the key index small.
            List.of(
                    "CREATE TABLE documents_v2 ("
                            + " kind TEXT NOT NULL,"
                            + " id_scope TEXT NOT NULL,"
                            + " id_key TEXT NOT NULL,"
                            + " etag TEXT NOT NULL,"
                            + " document TEXT NOT NULL,"
                            + " secondary_key TEXT,"
                            + " expires_at INTEGER"
                            + ")",
                    "INSERT INTO documents_v2 (kind, id_scope, id_key, etag, document, secondary_key, expires_at)"
                            + " SELECT kind, id_scope, id_key, etag, document, secondary_key, expires_at FROM documents",
                    "DROP TABLE documents",
                    "ALTER TABLE documents_v2 RENAME TO documents",
                    "CREATE UNIQUE INDEX documents_by_key ON documents (kind, id_scope, id_key)",
                    "CREATE INDEX documents_by_secondary_key"
                            + " ON documents (kind, id_scope, secondary_key, id_key) WHERE secondary_key IS NOT NULL",
                    "CREATE INDEX documents_by_expiry"
                            + " ON documents (kind, expires_at) WHERE expires_at IS NOT NULL"));

    static final int SCHEMA_VERSION = MIGRATIONS.size();

    private static final System.Logger LOG = System.getLogger(SqliteDatabase.class.getName());

    private final Path file;
    private final String url;
    private final Connection writer;
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final Semaphore readerPermits;
    private final ConcurrentLinkedQueue<Connection> idleReaders = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private final DocumentProtection protection;
    /**
     * Prepared statements per connection, reused: preparing dominated short reads. A connection is used by
     * one thread at a time (the write lock or a borrowed reader), so each inner map is too.
     */
    private final Map<Connection, Map<String, PreparedStatement>> statements = new ConcurrentHashMap<>();

    private SqliteDatabase(Path file, int readerConnections, DocumentProtection protection) throws SQLException {
        this.file = file;
        this.protection = protection;
        this.url = "jdbc:sqlite:" + file.toAbsolutePath();
        this.readerPermits = new Semaphore(readerConnections, true);
        this.writer = connect(true);
        try {
            migrate(writer);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(writer);
            throw e;
        }
    }

    /** Opens (creating if needed) {@code <dataDir>/opendps.db} with {@link #DEFAULT_READER_CONNECTIONS}. */
    public static SqliteDatabase open(Path dataDir) {
        return open(dataDir, DEFAULT_READER_CONNECTIONS);
    }

    /** Opens (creating if needed) {@code <dataDir>/opendps.db}, reading through at most {@code readerConnections}. */
    public static SqliteDatabase open(Path dataDir, int readerConnections) {
        return open(dataDir, readerConnections, DocumentProtection.NONE);
    }

    /**
     * Opens (creating if needed) {@code <dataDir>/opendps.db}; every store over it writes the secrets in its
     * documents through {@code protection}.
     */
    public static SqliteDatabase open(Path dataDir, int readerConnections, DocumentProtection protection) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(protection, "protection");
        if (readerConnections < 1) {
            throw new IllegalArgumentException("readerConnections must be at least 1");
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
            return new SqliteDatabase(file, readerConnections, protection);
        } catch (IOException e) {
            throw new StoreException("Could not create the data folder " + dataDir, e);
        } catch (SQLException e) {
            throw new StoreException("Could not open the embedded store " + file + " (" + describe(e) + ")", e);
        }
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    /** Runs read-only work on a pooled reader connection; SQL failures become {@link StoreException}s. */
    <R> R read(String action, SqlWork<R> work) {
        Connection connection = borrowReader(action);
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(action, e);
        } finally {
            returnReader(connection);
        }
    }

    /** The connection's cached statement for this SQL; callers close result sets, never the statement. */
    PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        Map<String, PreparedStatement> cache = statements.computeIfAbsent(connection, c -> new HashMap<>());
        PreparedStatement statement = cache.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            cache.put(sql, statement);
        }
        return statement;
    }

    /** Runs work on the one writer connection, after every write queued before it. */
    <R> R write(String action, SqlWork<R> work) {
        writeLock.lock();
        try {
            ensureOpen(action);
            return work.run(writer);
        } catch (SQLException e) {
            throw failure(action, e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Rewrites stored documents (every record and every instance) in place where {@code change} returns a new
     * text (null: leave it), keeping their etags: for changes that leave the record as it was, such as
     * re-wrapping data keys ({@link dev.opendps.adapters.envelope.DataKeyRewrap}). Pages are read on a reader
     * connection and {@code change} runs outside any lock (it may call a key service); each page's writes are
     * one short transaction that replaces a document only if it is still the one read, so a record written
     * meanwhile keeps what its writer wrote, and the stores are never blocked for longer than a page.
     */
    public DocumentRewrite rewriteDocuments(UnaryOperator<String> change) {
        long[] totals = new long[3];
        for (String table : List.of("documents", "instances")) {
            long after = Long.MIN_VALUE;
            while (true) {
                long from = after;
                List<Map.Entry<Long, String>> page = read("read stored documents", connection -> {
                    PreparedStatement select = prepare(connection, "SELECT rowid, document FROM " + table
                            + " WHERE rowid > ? ORDER BY rowid LIMIT " + REWRITE_PAGE);
                    select.setLong(1, from);
                    List<Map.Entry<Long, String>> rows = new ArrayList<>();
                    try (ResultSet result = select.executeQuery()) {
                        while (result.next()) {
                            rows.add(Map.entry(result.getLong(1), result.getString(2)));
                        }
                    }
                    return rows;
                });
                if (page.isEmpty()) {
                    break;
                }
                after = page.get(page.size() - 1).getKey();
                totals[0] += page.size();
                List<Replacement> updates = new ArrayList<>();
                for (Map.Entry<Long, String> row : page) {
                    String changed = change.apply(row.getValue());
                    if (changed != null && !changed.equals(row.getValue())) {
                        updates.add(new Replacement(row.getKey(), row.getValue(), changed));
                    }
                }
                if (!updates.isEmpty()) {
                    long written = write("rewrite stored documents", connection -> {
                        long count = 0;
                        try (Statement transaction = connection.createStatement()) {
                            transaction.execute("BEGIN IMMEDIATE");
                            try {
                                PreparedStatement update = prepare(connection, "UPDATE " + table
                                        + " SET document = ? WHERE rowid = ? AND document = ?");
                                for (Replacement replacement : updates) {
                                    update.setString(1, replacement.after());
                                    update.setLong(2, replacement.rowid());
                                    update.setString(3, replacement.before());
                                    count += update.executeUpdate();
                                }
                                transaction.execute("COMMIT");
                            } catch (SQLException | RuntimeException e) {
                                transaction.execute("ROLLBACK");
                                throw e;
                            }
                        }
                        return count;
                    });
                    totals[1] += written;
                    totals[2] += updates.size() - written;
                }
            }
        }
        return new DocumentRewrite(totals[0], totals[1], totals[2]);
    }

    private record Replacement(long rowid, String before, String after) {
    }

    /** What the stores over this database do to the secrets in their documents. */
    DocumentProtection protection() {
        return protection;
    }

    /** Closes every connection; reads still running close theirs when they finish. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(writer);
        } finally {
            writeLock.unlock();
        }
        Connection idle;
        while ((idle = idleReaders.poll()) != null) {
            closeQuietly(idle);
        }
    }

    /** Work done with a connection that the caller must not keep. */
    @FunctionalInterface
    interface SqlWork<R> {
        R run(Connection connection) throws SQLException;
    }

    /** The form of an id or ID scope the tables key on: ids compare case-insensitively (dps-protocol.md §2.3). */
    static String key(String value) {
        return value.toLowerCase(Locale.ROOT);
    }

    /** True if the statement failed on a UNIQUE or PRIMARY KEY constraint (SQLITE_CONSTRAINT_*). */
    static boolean isConstraintViolation(SQLException e) {
        return (e.getErrorCode() & 0xff) == 19;
    }

    private Connection connect(boolean forWriting) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        if (forWriting) {
            // journal_mode=WAL is stored in the file, so readers opened later inherit it.
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        }
        Connection connection = config.createConnection(url);
        try {
            if (!forWriting) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("PRAGMA query_only = true");
                }
            }
            return connection;
        } catch (SQLException e) {
            closeQuietly(connection);
            throw e;
        }
    }

    private void migrate(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            String journalMode = queryString(statement, "PRAGMA journal_mode");
            if (!"wal".equalsIgnoreCase(journalMode)) {
                // A file system without shared memory (some network mounts) refuses WAL: still correct, slower.
                LOG.log(System.Logger.Level.WARNING, "The embedded store {0} runs in journal mode {1}, not WAL",
                        file, journalMode);
            }
            // IMMEDIATE takes the write lock first, so two processes opening one new file migrate it once.
            statement.execute("BEGIN IMMEDIATE");
            try {
                int version = Integer.parseInt(queryString(statement, "PRAGMA user_version"));
                if (version > SCHEMA_VERSION) {
                    throw new StoreException("The embedded store " + file + " has schema version " + version
                            + ", newer than this version of OpenDPS knows (" + SCHEMA_VERSION + ")");
                }
                for (int step = version; step < SCHEMA_VERSION; step++) {
                    for (String sql : MIGRATIONS.get(step)) {
                        statement.execute(sql);
                    }
                }
                if (version < SCHEMA_VERSION) {
                    statement.execute("PRAGMA user_version = " + SCHEMA_VERSION);
                }
                statement.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                statement.execute("ROLLBACK");
                throw e;
            }
        }
    }

    private static String queryString(Statement statement, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    private Connection borrowReader(String action) {
        ensureOpen(action);
        try {
            if (!readerPermits.tryAcquire(BORROW_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new StoreException("Could not " + action + ": no reader connection was free for "
                        + BORROW_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("Interrupted while waiting to " + action);
        }
        Connection connection = idleReaders.poll();
        if (connection != null) {
            return connection;
        }
        try {
            ensureOpen(action);
            return connect(false);
        } catch (SQLException | RuntimeException e) {
            readerPermits.release();
            throw e instanceof SQLException sql ? failure(action, sql) : (RuntimeException) e;
        }
    }

    private void returnReader(Connection connection) {
        try {
            if (closed) {
                closeQuietly(connection);
            } else {
                idleReaders.add(connection);
                if (closed && idleReaders.remove(connection)) {
                    closeQuietly(connection); // close() ran between the check and the add
                }
            }
        } finally {
            readerPermits.release();
        }
    }

    private void ensureOpen(String action) {
        if (closed) {
            throw new StoreException("Could not " + action + ": the embedded store is closed");
        }
    }

    /** SQLite's messages name tables and constraints, never bound values, so no document reaches the text. */
    private static StoreException failure(String action, SQLException e) {
        return new StoreException("Could not " + action + " in the embedded store (" + describe(e) + ")", e);
    }

    private static String describe(SQLException e) {
        return e instanceof org.sqlite.SQLiteException sqlite
                ? sqlite.getResultCode().name()
                : "SQL error " + e.getErrorCode();
    }

    private void closeQuietly(Connection connection) {
        Map<String, PreparedStatement> cached = statements.remove(connection);
        if (cached != null) {
            for (PreparedStatement statement : cached.values()) {
                try {
                    statement.close();
                } catch (SQLException ignored) {
                    // closing the connection below releases it anyway
                }
            }
        }
        closeConnectionQuietly(connection);
    }

    private static void closeConnectionQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.DEBUG, "Closing a connection to the embedded store failed", e);
        }
    }

    @Override
    public String toString() {
        return "SqliteDatabase[" + file + "]";
    }
}
