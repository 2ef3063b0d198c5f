package dev.opendps.benchmark.device;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.benchmark.load.Step;
import java.util.function.Function;

/**
 * Where one device's registration stands after an answer, whichever transport carried it (dps-protocol.md §1.5,
 * §1.6): assigned (done), failed (by status code, registration status and DPS error code), or still assigning, in
 * which case the device polls its operation, at most {@link RegistrationTarget#maxPolls()} times. One per device.
 */
final class RegistrationProgress {
    private final RegistrationTarget target;
    private int polls;

    RegistrationProgress(RegistrationTarget target) {
        this.target = target;
    }

    /**
     * @param transport names failures, e.g. {@code http} or {@code mqtt}
     * @param status    the answer's status code (HTTP status, or the MQTT response topic's)
     * @param body      the answer's JSON, or null if it had none or it was not JSON
     * @param poll      the step that polls the given operation id
     */
    Step next(String transport, int status, JsonNode body, Function<String, Step> poll) {
        if (status != 200 && status != 202) {
            return Step.failed(transport + "-" + status + errorCode(body));
        }
        if (body == null) {
            return Step.failed(transport + "-" + status + " with a body that is not JSON");
        }
        RegistrationOutcome outcome = RegistrationOutcome.of(body);
        if (outcome.isAssigned()) {
            return Step.SUCCEEDED;
        }
        if (!outcome.isPending()) {
            return Step.failed(outcome.failureKind());
        }
        if (outcome.operationId() == null) {
            return Step.failed("status-" + outcome.status() + " without operationId");
        }
        if (polls >= target.maxPolls()) {
            return Step.failed("still " + outcome.status() + " after " + target.maxPolls() + " polls");
        }
        polls++;
        return poll.apply(outcome.operationId());
    }

    static String errorCode(JsonNode body) {
        return body != null && body.hasNonNull("errorCode") ? " (" + body.get("errorCode").asText() + ")" : "";
    }
}
