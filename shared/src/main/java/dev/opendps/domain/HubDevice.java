package dev.opendps.domain;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A device identity in an IoT hub as DPS creates it (dps-protocol.md §7): SAS keys or X.509 thumbprints,
 * the edge capability and the twin's tags and desired properties. Keyed by device id within its hub.
 */
public record HubDevice(
        String hubHostName,
        String deviceId,
        Authentication authentication,
        boolean iotEdge,
        boolean enabled,
        JsonNode tags,
        JsonNode desiredProperties,
        RecordVersion version) implements Versioned<HubDevice> {

    public HubDevice {
        tags = tags == null ? null : tags.deepCopy();
        desiredProperties = desiredProperties == null ? null : desiredProperties.deepCopy();
        version = version == null ? RecordVersion.NONE : version;
    }

    /** {@code sas} with keys, or {@code selfSigned} with thumbprints (§7 table). */
    public record Authentication(String type, String primaryKey, String secondaryKey,
                                 String primaryThumbprint, String secondaryThumbprint) {
        public static Authentication sas(String primaryKey, String secondaryKey) {
            return new Authentication("sas", primaryKey, secondaryKey, null, null);
        }

        public static Authentication selfSigned(String primaryThumbprint, String secondaryThumbprint) {
            return new Authentication("selfSigned", null, null, primaryThumbprint, secondaryThumbprint);
        }

        @Override
        public String toString() {
            return "Authentication[" + type + ", secrets redacted]";
        }
    }

    @Override
    public String id() {
        return deviceId;
    }

    @Override
    public HubDevice withVersion(RecordVersion newVersion) {
        return new HubDevice(hubHostName, deviceId, authentication, iotEdge, enabled, tags, desiredProperties,
                newVersion);
    }
}
