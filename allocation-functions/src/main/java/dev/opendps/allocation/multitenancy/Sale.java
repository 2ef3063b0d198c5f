package dev.opendps.allocation.multitenancy;

import java.util.Objects;

/**
 * One sales transaction: which device went to which tenant. The device is named by its registration id, by
 * the serial number it reports in its payload ({@code payload.serialNumber}), or both.
 *
 * @param transactionId the sales system's reference, kept for the records' owner; may be null
 */
public record Sale(String registrationId, String serialNumber, String tenantId, String transactionId) {
    public Sale {
        Objects.requireNonNull(tenantId, "tenantId");
        if (registrationId == null && serialNumber == null) {
            throw new IllegalArgumentException("A sale names a registration id or a serial number");
        }
    }
}
