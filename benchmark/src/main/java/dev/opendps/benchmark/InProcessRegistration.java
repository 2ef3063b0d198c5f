package dev.opendps.benchmark;

import java.nio.file.Path;

/**
 * The device registration API called in process, without HTTP or TLS, to show what a registration costs the
 * service itself. Implemented beside the service and put on this module's class path; the benchmark loads it by
 * class name ({@code --in-process=<class>}) or, given no name, through {@link java.util.ServiceLoader}. It needs a
 * public no-argument constructor and is called from many threads at once.
 */
public interface InProcessRegistration extends AutoCloseable {

    /**
     * Called once before any registration, with the local stack's data directory (the folder of
     * {@code connection.json}), so the implementation can open the same store the running stack uses: the
     * enrollment groups the benchmark creates over HTTPS are then there.
     */
    default void open(Path dataDirectory) throws Exception {
    }

    /**
     * {@code PUT /{idScope}/registrations/{registrationId}/register}, as if received over HTTPS.
     *
     * @param authorizationHeader the device's SAS token, as the {@code Authorization} header carries it
     * @param body                the request body, {@code {"registrationId":"…"}}
     */
    Response register(String idScope, String registrationId, String authorizationHeader, byte[] body)
            throws Exception;

    /** {@code GET …/operations/{operationId}}; called only while the answer's status is {@code assigning}. */
    default Response operationStatus(String idScope, String registrationId, String operationId,
                                     String authorizationHeader) throws Exception {
        throw new UnsupportedOperationException("Polling the operation status is not implemented in process");
    }

    @Override
    default void close() throws Exception {
    }

    /** The HTTP status and JSON body ({@code RegistrationOperationStatus} or an error) the API would send. */
    record Response(int statusCode, byte[] body) {
    }
}
