package dev.opendps.localhost.http;

import java.util.concurrent.CompletionStage;

/** What the transport hands each complete request to; the stage may complete on another thread. */
@FunctionalInterface
public interface RequestProcessor {

    CompletionStage<OutgoingResponse> process(IncomingRequest request);
}
