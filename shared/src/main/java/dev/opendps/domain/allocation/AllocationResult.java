package dev.opendps.domain.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.LinkedHub;
import dev.opendps.domain.ProvisioningException;
import java.util.Objects;

/**
 * The outcome of allocating a device to a hub (dps-protocol.md §6.1): the chosen linked hub, or why none
 * was chosen. A failure is a value, not an exception, because the registration use case records it in the
 * registration state ({@code status: failed}, errorCode, errorMessage) rather than failing the request.
 */
public sealed interface AllocationResult {

    /**
     * The hub the device goes to. A custom allocation webhook (§5) may also give the initial twin of a new
     * identity (instead of the enrollment's) and a payload for the device; both are null otherwise.
     */
    record Assigned(LinkedHub hub, JsonNode initialTwin, JsonNode payload) implements AllocationResult {
        public Assigned {
            Objects.requireNonNull(hub, "hub");
            initialTwin = initialTwin == null ? null : initialTwin.deepCopy();
            payload = payload == null ? null : payload.deepCopy();
        }

        public Assigned(LinkedHub hub) {
            this(hub, null, null);
        }
    }

    /** No hub: the DPS error code and a message for the registration state (no secrets in it). */
    record Failed(ErrorCode errorCode, String message) implements AllocationResult {
        public Failed {
            Objects.requireNonNull(errorCode, "errorCode");
            Objects.requireNonNull(message, "message");
        }
    }

    static AllocationResult assigned(LinkedHub hub) {
        return new Assigned(hub);
    }

    static AllocationResult failed(ErrorCode errorCode, String message) {
        return new Failed(errorCode, message);
    }

    /** The chosen hub, or the failure as a {@link ProvisioningException} for callers that stop at it. */
    default LinkedHub hubOrThrow() {
        if (this instanceof Assigned assigned) {
            return assigned.hub();
        }
        Failed failed = (Failed) this;
        throw new ProvisioningException(failed.errorCode(), failed.message());
    }
}
