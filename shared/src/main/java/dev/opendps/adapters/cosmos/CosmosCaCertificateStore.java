package dev.opendps.adapters.cosmos;

import dev.opendps.domain.CaCertificate;
import dev.opendps.domain.port.CaCertificateStore;
import dev.opendps.wire.StorageCodecs;

/** Registered CA certificates in Cosmos DB. */
public final class CosmosCaCertificateStore extends CosmosDocumentStore<CaCertificate> implements CaCertificateStore {

    public CosmosCaCertificateStore(CosmosDatabase database) {
        super(database, CosmosRecordKind.CA_CERTIFICATE, StorageCodecs.caCertificates());
    }
}
