package dev.opendps.adapters.sqlite;

import static dev.opendps.adapters.sqlite.SqliteDatabase.key;

import dev.opendps.adapters.ContinuationToken;
import dev.opendps.adapters.DocumentCodec;
import dev.opendps.adapters.RedactingCodec;
import dev.opendps.domain.Versioned;
import dev.opendps.domain.port.EtagMismatchException;
import dev.opendps.domain.port.Page;
import dev.opendps.domain.port.RecordAlreadyExistsException;
import dev.opendps.domain.port.RecordNotFoundException;
import dev.opendps.domain.port.VersionedStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * A {@link VersionedStore} over the {@code documents} table: one row per record, keyed by kind, ID scope and
 * lower-cased id, holding the etag and the codec's JSON document, plus an optional indexed secondary key and
 * expiry that subclasses derive from the record.
 */
public class SqliteDocumentStore<T extends Versioned<T>> implements VersionedStore<T> {
    /** Page size of a listing that asks for 0 or fewer items. */
    public static final int DEFAULT_PAGE_SIZE = 100;
    /** Largest page a listing returns, whatever it asks for. */
    public static final int MAX_PAGE_SIZE = 1000;

    private static final String COLUMNS = "id_key, etag, document";

    private final SqliteDatabase database;
    private final DocumentKind kind;
    private final RedactingCodec<T> codec;
    private final Function<T, String> secondaryKey;
    private final Function<T, Instant> expiry;

    /**
     * @param secondaryKey the value of the indexed {@code secondary_key} column (compared case-insensitively),
     *                     null for none
     * @param expiry       the value of the indexed {@code expires_at} column, null for never
     */
    SqliteDocumentStore(SqliteDatabase database, DocumentKind kind, DocumentCodec<T> codec,
                        Function<T, String> secondaryKey, Function<T, Instant> expiry) {
        this.database = Objects.requireNonNull(database, "database");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.codec = new RedactingCodec<>(database.protection().protect(codec), kind.description());
        this.secondaryKey = Objects.requireNonNull(secondaryKey, "secondaryKey");
        this.expiry = Objects.requireNonNull(expiry, "expiry");
    }

    SqliteDocumentStore(SqliteDatabase database, DocumentKind kind, DocumentCodec<T> codec) {
        this(database, kind, codec, record -> null, record -> null);
    }

    @Override
    public Optional<T> find(String idScope, String id) {
        return database.read("read " + describe(id), connection -> {
            PreparedStatement select = database.prepare(connection, "SELECT " + COLUMNS
                    + " FROM documents WHERE kind = ? AND id_scope = ? AND id_key = ?");
            {
                bindKey(select, idScope, id);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(decode(row)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public T create(String idScope, T record) {
        String id = idOf(record);
        T stored = withNewEtag(record);
        String document = codec.encode(stored, id);
        int inserted = database.write("create " + describe(id), connection -> {
            PreparedStatement insert = database.prepare(connection, "INSERT INTO documents"
                    + " (kind, id_scope, id_key, etag, document, secondary_key, expires_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
            {
                bindKey(insert, idScope, id);
                insert.setString(4, stored.etag());
                insert.setString(5, document);
                bindIndexed(insert, 6, stored);
                return insert.executeUpdate();
            }
        });
        if (inserted == 0) {
            throw new RecordAlreadyExistsException("The " + describe(id) + " already exists.");
        }
        return stored;
    }

    @Override
    public T replace(String idScope, T record, String ifMatch) {
        String id = idOf(record);
        T stored = withNewEtag(record);
        String document = codec.encode(stored, id);
        database.write("replace " + describe(id), connection -> {
            // The etag comparison is part of the UPDATE itself: the compare-and-set is one statement.
            PreparedStatement update = database.prepare(connection, "UPDATE documents"
                    + " SET etag = ?, document = ?, secondary_key = ?, expires_at = ?"
                    + " WHERE kind = ? AND id_scope = ? AND id_key = ?" + (ifMatch == null ? "" : " AND etag = ?"));
            {
                update.setString(1, stored.etag());
                update.setString(2, document);
                bindIndexed(update, 3, stored);
                bindKey(update, 5, idScope, id);
                if (ifMatch != null) {
                    update.setString(8, ifMatch);
                }
                if (update.executeUpdate() == 0) {
                    throw missingOrMismatched(connection, idScope, id);
                }
                return null;
            }
        });
        return stored;
    }

    @Override
    public void delete(String idScope, String id, String ifMatch) {
        Objects.requireNonNull(id, "id");
        database.write("delete " + describe(id), connection -> {
            PreparedStatement delete = database.prepare(connection, "DELETE FROM documents"
                    + " WHERE kind = ? AND id_scope = ? AND id_key = ?" + (ifMatch == null ? "" : " AND etag = ?"));
            {
                bindKey(delete, idScope, id);
                if (ifMatch != null) {
                    delete.setString(4, ifMatch);
                }
                if (delete.executeUpdate() == 0) {
                    throw missingOrMismatched(connection, idScope, id);
                }
                return null;
            }
        });
    }

    @Override
    public Page<T> list(String idScope, int maxItems, String continuationToken) {
        return page(idScope, null, maxItems, continuationToken);
    }

    /** The records whose secondary key equals {@code value} (case-insensitively), paged as {@link #list}. */
    Page<T> listBySecondaryKey(String idScope, String value, int maxItems, String continuationToken) {
        return page(idScope, Objects.requireNonNull(value, "value"), maxItems, continuationToken);
    }

    /** Deletes the records, in every ID scope, whose expiry is before {@code now}. */
    int deleteExpiredBefore(Instant now) {
        Objects.requireNonNull(now, "now");
        return database.write("delete expired " + kind.description() + "s", connection -> {
            PreparedStatement delete = database.prepare(connection, 
                    "DELETE FROM documents WHERE kind = ? AND expires_at < ?");
            {
                delete.setString(1, kind.storedName());
                delete.setLong(2, ExpiryColumn.of(now));
                return delete.executeUpdate();
            }
        });
    }

    private Page<T> page(String idScope, String secondary, int maxItems, String continuationToken) {
        Objects.requireNonNull(idScope, "idScope");
        int size = maxItems <= 0 ? DEFAULT_PAGE_SIZE : Math.min(maxItems, MAX_PAGE_SIZE);
        String scopeKey = key(idScope);
        String secondaryKeyValue = secondary == null ? null : key(secondary);
        String listing = kind.storedName() + "\n" + scopeKey + (secondary == null ? "" : "\n" + secondaryKeyValue);
        String after = continuationToken == null ? null : ContinuationToken.decode(listing, continuationToken);
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM documents WHERE kind = ? AND id_scope = ?");
        if (secondary != null) {
            sql.append(" AND secondary_key = ?");
        }
        if (after != null) {
            sql.append(" AND id_key > ?");
        }
        sql.append(" ORDER BY id_key LIMIT ?");
        return database.read("list " + kind.description() + "s", connection -> {
            PreparedStatement select = database.prepare(connection, sql.toString());
            {
                int index = 1;
                select.setString(index++, kind.storedName());
                select.setString(index++, scopeKey);
                if (secondary != null) {
                    select.setString(index++, secondaryKeyValue);
                }
                if (after != null) {
                    select.setString(index++, after);
                }
                select.setInt(index, size + 1); // one more than the page: is there a next page?
                List<T> items = new ArrayList<>(Math.min(size, 64));
                String lastKey = null;
                boolean more = false;
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        if (items.size() == size) {
                            more = true;
                            break;
                        }
                        lastKey = rows.getString("id_key");
                        items.add(decode(rows));
                    }
                }
                return new Page<>(items, more ? ContinuationToken.encode(listing, lastKey) : null);
            }
        });
    }

    private RuntimeException missingOrMismatched(Connection connection, String idScope, String id)
            throws SQLException {
        // Runs on the writer connection inside the write that failed, so no other write came between.
        PreparedStatement select = database.prepare(connection, 
                "SELECT 1 FROM documents WHERE kind = ? AND id_scope = ? AND id_key = ?");
            {
            bindKey(select, idScope, id);
            try (ResultSet row = select.executeQuery()) {
                return row.next()
                        ? new EtagMismatchException("The etag does not match the stored " + describe(id) + ".")
                        : new RecordNotFoundException("No " + describe(id) + " exists.");
            }
        }
    }

    private T decode(ResultSet row) throws SQLException {
        T record = codec.decode(row.getString("document"), row.getString("id_key"));
        // The column is the authority on the etag, whatever the document says.
        return record.withVersion(record.version().withEtag(row.getString("etag")));
    }

    private void bindKey(PreparedStatement statement, String idScope, String id) throws SQLException {
        bindKey(statement, 1, idScope, id);
    }

    private void bindKey(PreparedStatement statement, int first, String idScope, String id) throws SQLException {
        statement.setString(first, kind.storedName());
        statement.setString(first + 1, key(Objects.requireNonNull(idScope, "idScope")));
        statement.setString(first + 2, key(Objects.requireNonNull(id, "id")));
    }

    private void bindIndexed(PreparedStatement statement, int first, T record) throws SQLException {
        String secondary = secondaryKey.apply(record);
        statement.setString(first, secondary == null ? null : key(secondary));
        Instant expiresAt = expiry.apply(record);
        if (expiresAt == null) {
            statement.setNull(first + 1, Types.INTEGER);
        } else {
            statement.setLong(first + 1, ExpiryColumn.of(expiresAt));
        }
    }

    private static <T extends Versioned<T>> T withNewEtag(T record) {
        return record.withVersion(record.version().withEtag(UUID.randomUUID().toString()));
    }

    private static String idOf(Versioned<?> record) {
        return Objects.requireNonNull(Objects.requireNonNull(record, "record").id(), "record id");
    }

    private String describe(String id) {
        return kind.description() + " '" + id + "'";
    }
}
