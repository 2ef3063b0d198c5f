package dev.opendps.domain.port;

import java.time.Duration;

/**
 * What provisioning counts and times, named as Azure DPS names its metrics ({@code AttestationAttempts},
 * {@code RegistrationAttempts}, {@code DeviceAssignments}) plus latencies. The API layer records; an adapter
 * decides where the numbers go. Dimension values are ID scopes, attestation types ({@code symmetricKey},
 * {@code x509}, {@code tpm}), outcomes and hub host names: never a registration id (unbounded) or a secret.
 */
public interface ProvisioningMetrics {
    /** Records nothing: for tests and embeddings that do not monitor. */
    ProvisioningMetrics NONE = new ProvisioningMetrics() {
        @Override
        public void attestationAttempt(String idScope, String attestationType, boolean success) {
        }

        @Override
        public void registrationAttempt(String idScope, String attestationType, String outcome) {
        }

        @Override
        public void deviceAssignment(String idScope, String attestationType, String hub) {
        }

        @Override
        public void deviceLatency(DeviceOperation operation, String idScope, Duration latency) {
        }

        @Override
        public void serviceLatency(String operation, int httpStatus, Duration latency) {
        }
    };

    /** The device operations whose latency is timed. */
    enum DeviceOperation {
        REGISTER("register"), POLL("operationStatus"), STATUS("registrationStatus");

        private final String tag;

        DeviceOperation(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    /** A device proved (or failed to prove) its identity on register. */
    void attestationAttempt(String idScope, String attestationType, boolean success);

    /** A register call ended with {@code outcome}: the registration status, or {@code error}. */
    void registrationAttempt(String idScope, String attestationType, String outcome);

    /** A device was assigned to {@code hub}. */
    void deviceAssignment(String idScope, String attestationType, String hub);

    void deviceLatency(DeviceOperation operation, String idScope, Duration latency);

    /** One service API call ({@code enrollment.PUT}, {@code certificate.verify}, …) and its HTTP status. */
    void serviceLatency(String operation, int httpStatus, Duration latency);
}
