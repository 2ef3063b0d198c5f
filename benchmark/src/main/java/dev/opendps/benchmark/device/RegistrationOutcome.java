package dev.opendps.benchmark.device;

import com.fasterxml.jackson.databind.JsonNode;

/** The parts of a {@code RegistrationOperationStatus} (dps-protocol.md §1.5) the benchmark acts on. */
public record RegistrationOutcome(String status, String operationId, String errorCode) {

    public static RegistrationOutcome of(JsonNode body) {
        JsonNode state = body.path("registrationState");
        String errorCode = state.hasNonNull("errorCode") ? state.get("errorCode").asText()
                : body.hasNonNull("errorCode") ? body.get("errorCode").asText() : null;
        return new RegistrationOutcome(body.path("status").asText(""),
                body.hasNonNull("operationId") ? body.get("operationId").asText() : null, errorCode);
    }

    public boolean isAssigned() {
        return "assigned".equals(status);
    }

    /** Still running: the SDKs poll on {@code assigning} and (Java) {@code unassigned}. */
    public boolean isPending() {
        return "assigning".equals(status) || "unassigned".equals(status);
    }

    /** How a terminal non-assigned outcome is counted in the report, e.g. {@code status-failed (400208)}. */
    public String failureKind() {
        return "status-" + (status.isEmpty() ? "missing" : status) + (errorCode == null ? "" : " (" + errorCode + ")");
    }
}
