package dev.opendps.domain.port;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.allocation.AllocationRequest;
import java.time.Duration;
import java.util.Objects;

/**
 * Calls a custom allocation webhook (dps-protocol.md §5): posts the {@link AllocationRequest} as JSON to the
 * enrollment's {@code webhookUrl} and reports what happened, without judging the answer (the allocation
 * does that). Network failures are outcomes, not exceptions: they end the registration, not the request.
 *
 * <p>The URL usually carries the function key ({@code ?code=…}): implementations never log or report it.
 */
public interface AllocationWebhook {

    Outcome call(String webhookUrl, AllocationRequest request);

    /** What came back from one call. */
    sealed interface Outcome {
        /**
         * The webhook answered with an HTTP status.
         *
         * @param body the answer parsed as JSON, or null when it was empty or not JSON
         */
        record Answered(int statusCode, JsonNode body) implements Outcome {
            public Answered {
                body = body == null || body.isMissingNode() ? null : body;
            }
        }

        /** No answer within {@code timeout} (connecting included). */
        record TimedOut(Duration timeout) implements Outcome {
            public TimedOut {
                Objects.requireNonNull(timeout, "timeout");
            }
        }

        /** The webhook could not be reached; {@code reason} says why, without the URL's query. */
        record Unreachable(String reason) implements Outcome {
            public Unreachable {
                Objects.requireNonNull(reason, "reason");
            }
        }
    }
}
