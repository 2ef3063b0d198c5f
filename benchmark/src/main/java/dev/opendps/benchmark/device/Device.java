package dev.opendps.benchmark.device;

/** A simulated device of a symmetric-key enrollment group: its registration id and raw (decoded) device key. */
public record Device(String registrationId, byte[] key) {

    public static Device ofGroup(String registrationId, byte[] groupKey) {
        return new Device(registrationId, SharedAccessSignatures.derivedDeviceKey(groupKey, registrationId));
    }
}
