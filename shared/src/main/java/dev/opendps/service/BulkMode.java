package dev.opendps.service;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;

/** The modes of a bulk enrollment operation (dps-protocol.md §4.4). */
public enum BulkMode {
    CREATE("create"),
    UPDATE("update"),
    UPDATE_IF_MATCH_ETAG("updateIfMatchEtag"),
    DELETE("delete");

    /** The service accepts at most this many records per bulk call (§8). */
    public static final int MAX_ITEMS = 10;

    private final String wireName;

    BulkMode(String wireName) {
        this.wireName = wireName;
    }

    public static BulkMode fromWire(String value) {
        for (BulkMode mode : values()) {
            if (mode.wireName.equalsIgnoreCase(value)) {
                return mode;
            }
        }
        throw new ProvisioningException(ErrorCode.INVALID_BULK_OPERATION,
                "'mode' must be one of create, update, updateIfMatchEtag, delete.");
    }

    /** The If-Match a single write of this mode uses, given the etag the item carries. */
    public String ifMatchFor(String itemEtag) {
        return switch (this) {
            case CREATE -> null;
            case UPDATE -> "*";
            case UPDATE_IF_MATCH_ETAG -> {
                if (itemEtag == null) {
                    throw new ProvisioningException(ErrorCode.INVALID_ETAG,
                            "updateIfMatchEtag needs the etag of each record.");
                }
                yield itemEtag;
            }
            case DELETE -> itemEtag;
        };
    }
}
