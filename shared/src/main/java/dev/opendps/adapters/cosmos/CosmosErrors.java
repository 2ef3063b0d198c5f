package dev.opendps.adapters.cosmos;

import com.azure.cosmos.CosmosException;
import dev.opendps.domain.port.EtagMismatchException;
import dev.opendps.domain.port.RecordAlreadyExistsException;
import dev.opendps.domain.port.RecordNotFoundException;
import dev.opendps.domain.port.StoreException;
import dev.opendps.domain.port.StoreUnavailableException;

/** Cosmos DB status codes in the ports' terms. Messages give the status only: the SDK's text is not kept. */
final class CosmosErrors {
    private CosmosErrors() {
    }

    /** For an operation with no record-level meaning (opening a database, a query). */
    static StoreException translate(CosmosException e, String action) {
        return translate(e, action, null);
    }

    /** For an operation on one record, described as e.g. {@code enrollment 'device-1'}. */
    static StoreException translate(CosmosException e, String action, String record) {
        int status = e.getStatusCode();
        return switch (status) {
            case 404 -> record == null ? failed(e, action) : new RecordNotFoundException("No " + record + " exists.");
            case 409 -> record == null ? failed(e, action)
                    : new RecordAlreadyExistsException("The " + record + " already exists.");
            case 412 -> record == null ? failed(e, action)
                    : new EtagMismatchException("The etag does not match the stored " + record + ".");
            // The SDK has already retried these (CosmosDatabase's throttling retry options, its own 503/408 retries).
            case 429 -> new StoreUnavailableException(refused(e, action), true, e.getRetryAfterDuration());
            case 408, 503 -> new StoreUnavailableException(refused(e, action), false, e.getRetryAfterDuration());
            default -> failed(e, action);
        };
    }

    /**
     * Building a client reads the account, and the SDK wraps what went wrong in a plain RuntimeException whose
     * message is pages of diagnostics: the cause is what counts (the account's answer, or the credential's failure,
     * already in the stores' terms).
     */
    static StoreException connecting(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof StoreException store) {
                return store;
            }
            if (cause instanceof CosmosException cosmos) {
                return translate(cosmos, "connect to the account");
            }
        }
        // Not an answer from the account (an unreachable one is a CosmosException 503 by now): a client to fix.
        return new StoreException("Could not connect to Cosmos DB (" + e.getClass().getSimpleName() + ").", e);
    }

    private static String refused(CosmosException e, String action) {
        return "Cosmos DB did not " + action + " (status " + e.getStatusCode() + ", substatus " + e.getSubStatusCode()
                + "), even after retries.";
    }

    private static StoreException failed(CosmosException e, String action) {
        return new StoreException("Cosmos DB could not " + action + " (status " + e.getStatusCode() + ", substatus "
                + e.getSubStatusCode() + ")");
    }
}
