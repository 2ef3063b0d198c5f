package dev.opendps.adapters.sqlite;

import static dev.opendps.adapters.sqlite.SqliteDatabase.key;

import dev.opendps.adapters.DocumentCodec;
import dev.opendps.adapters.RedactingCodec;
import dev.opendps.domain.ProvisioningInstance;
import dev.opendps.domain.port.EtagMismatchException;
import dev.opendps.domain.port.InstanceStore;
import dev.opendps.domain.port.RecordAlreadyExistsException;
import dev.opendps.domain.port.RecordNotFoundException;
import dev.opendps.wire.StorageCodecs;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Provisioning service instances in the embedded store's {@code instances} table, unique by lower-cased ID
 * scope (the key) and by lower-cased host name.
 */
public final class SqliteInstanceStore implements InstanceStore {
    private static final String DESCRIPTION = "provisioning service instance";

    private final SqliteDatabase database;
    private final RedactingCodec<ProvisioningInstance> codec;

    public SqliteInstanceStore(SqliteDatabase database) {
        this(database, StorageCodecs.instances());
    }

    SqliteInstanceStore(SqliteDatabase database, DocumentCodec<ProvisioningInstance> codec) {
        this.database = Objects.requireNonNull(database, "database");
        this.codec = new RedactingCodec<>(this.database.protection().protect(codec), DESCRIPTION);
    }

    @Override
    public Optional<ProvisioningInstance> findByHostName(String hostName) {
        return findOne("host_name_key", Objects.requireNonNull(hostName, "hostName"));
    }

    @Override
    public Optional<ProvisioningInstance> findByIdScope(String idScope) {
        return findOne("id_scope_key", Objects.requireNonNull(idScope, "idScope"));
    }

    @Override
    public ProvisioningInstance create(ProvisioningInstance instance) {
        ProvisioningInstance stored = withNewEtag(instance);
        String document = codec.encode(stored, stored.idScope());
        int inserted = database.write("create " + describe(stored), connection -> {
            // DO NOTHING without a target covers both unique keys: the ID scope and the host name.
            PreparedStatement insert = database.prepare(connection, "INSERT INTO instances"
                    + " (id_scope_key, host_name_key, etag, document) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
            {
                insert.setString(1, key(stored.idScope()));
                insert.setString(2, key(stored.hostName()));
                insert.setString(3, stored.etag());
                insert.setString(4, document);
                return insert.executeUpdate();
            }
        });
        if (inserted == 0) {
            throw new RecordAlreadyExistsException("A " + DESCRIPTION + " with host name '" + stored.hostName()
                    + "' or ID scope '" + stored.idScope() + "' already exists.");
        }
        return stored;
    }

    @Override
    public ProvisioningInstance replace(ProvisioningInstance instance, String ifMatch) {
        ProvisioningInstance stored = withNewEtag(instance);
        String document = codec.encode(stored, stored.idScope());
        database.write("replace " + describe(stored), connection -> {
            PreparedStatement update = database.prepare(connection, "UPDATE instances"
                    + " SET host_name_key = ?, etag = ?, document = ?"
                    + " WHERE id_scope_key = ?" + (ifMatch == null ? "" : " AND etag = ?"));
            {
                update.setString(1, key(stored.hostName()));
                update.setString(2, stored.etag());
                update.setString(3, document);
                update.setString(4, key(stored.idScope()));
                if (ifMatch != null) {
                    update.setString(5, ifMatch);
                }
                int updated;
                try {
                    updated = update.executeUpdate();
                } catch (SQLException e) {
                    if (SqliteDatabase.isConstraintViolation(e)) {
                        throw new RecordAlreadyExistsException("Another " + DESCRIPTION + " has the host name '"
                                + stored.hostName() + "'.");
                    }
                    throw e;
                }
                if (updated == 0) {
                    throw missingOrMismatched(connection, stored);
                }
                return null;
            }
        });
        return stored;
    }

    @Override
    public List<ProvisioningInstance> list() {
        return database.read("list " + DESCRIPTION + "s", connection -> {
            PreparedStatement select = database.prepare(connection, 
                    "SELECT id_scope_key, etag, document FROM instances ORDER BY id_scope_key");
                 ResultSet rows = select.executeQuery();
            {
                List<ProvisioningInstance> instances = new ArrayList<>();
                while (rows.next()) {
                    instances.add(decode(rows));
                }
                return instances;
            }
        });
    }

    private Optional<ProvisioningInstance> findOne(String column, String value) {
        return database.read("read " + DESCRIPTION + " '" + value + "'", connection -> {
            // column is one of two constants, never caller input.
            PreparedStatement select = database.prepare(connection, 
                    "SELECT id_scope_key, etag, document FROM instances WHERE " + column + " = ?");
            {
                select.setString(1, key(value));
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(decode(row)) : Optional.empty();
                }
            }
        });
    }

    private RuntimeException missingOrMismatched(Connection connection, ProvisioningInstance instance)
            throws SQLException {
        // Runs on the writer connection inside the write that failed, so no other write came between.
        PreparedStatement select = database.prepare(connection, 
                "SELECT 1 FROM instances WHERE id_scope_key = ?");
            {
            select.setString(1, key(instance.idScope()));
            try (ResultSet row = select.executeQuery()) {
                return row.next()
                        ? new EtagMismatchException("The etag does not match the stored " + describe(instance) + ".")
                        : new RecordNotFoundException("No " + describe(instance) + " exists.");
            }
        }
    }

    private ProvisioningInstance decode(ResultSet row) throws SQLException {
        // The column is the authority on the etag, whatever the document says.
        return codec.decode(row.getString("document"), row.getString("id_scope_key")).withEtag(row.getString("etag"));
    }

    private static ProvisioningInstance withNewEtag(ProvisioningInstance instance) {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(instance.idScope(), "idScope");
        Objects.requireNonNull(instance.hostName(), "hostName");
        return instance.withEtag(UUID.randomUUID().toString());
    }

    private static String describe(ProvisioningInstance instance) {
        return DESCRIPTION + " with ID scope '" + instance.idScope() + "'";
    }
}
