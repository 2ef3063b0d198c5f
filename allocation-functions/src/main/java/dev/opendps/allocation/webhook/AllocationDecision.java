package dev.opendps.allocation.webhook;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/** An allocator's answer: a hub (with the twin and payload to go with it), or a refusal saying why. */
public sealed interface AllocationDecision {

    /**
     * @param iotHubHostName one of the request's {@code linkedHubs}
     * @param initialTwin    the twin for the device's identity on that hub
     * @param payload        returned to the device in {@code registrationState.payload}; null for none
     */
    record Assign(String iotHubHostName, InitialTwin initialTwin, ObjectNode payload) implements AllocationDecision {
        public Assign {
            Objects.requireNonNull(iotHubHostName, "iotHubHostName");
            Objects.requireNonNull(initialTwin, "initialTwin");
        }
    }

    /**
     * A non-2xx answer; DPS fails the registration with 400207 "Custom allocation failed with status code: N".
     *
     * @param status 400 (the request or configuration does not allow an assignment) or 404 (the device is unknown)
     */
    record Refuse(int status, String reason) implements AllocationDecision {
        public Refuse {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
