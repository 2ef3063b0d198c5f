package dev.opendps.allocation.multitenancy;

import java.util.Optional;

/**
 * Port: which tenant a device was sold to. Implemented by an embedded JSON document
 * ({@link JsonFileSalesRecords}); a database adapter answers the same two point reads.
 */
public interface SalesRecords {
    /** The sale of the device with this registration id (compared case-insensitively, as DPS does). */
    Optional<Sale> soldAsRegistrationId(String registrationId);

    /** The sale of the device with this serial number (compared exactly). */
    Optional<Sale> soldAsSerialNumber(String serialNumber);
}
