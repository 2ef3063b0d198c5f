package dev.opendps.allocation.multitenancy;

import java.io.IOException;

/** Port: replaces all tenants and sales at once, so no allocation ever sees half of an upload. */
public interface SalesRecordsReplacement {
    void replaceAll(SalesLedger ledger) throws IOException;
}
