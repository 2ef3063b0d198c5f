package dev.opendps.adapters.sqlite;

import dev.opendps.adapters.DocumentCodec;
import dev.opendps.domain.CaCertificate;
import dev.opendps.domain.port.CaCertificateStore;
import dev.opendps.wire.StorageCodecs;

/** Registered CA certificates in the embedded store. */
public final class SqliteCaCertificateStore extends SqliteDocumentStore<CaCertificate> implements CaCertificateStore {

    public SqliteCaCertificateStore(SqliteDatabase database) {
        this(database, StorageCodecs.caCertificates());
    }

    SqliteCaCertificateStore(SqliteDatabase database, DocumentCodec<CaCertificate> codec) {
        super(database, DocumentKind.CA_CERTIFICATE, codec);
    }
}
