package dev.opendps.localhost.http;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.TraceContext;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/** The host's {@link ExecutionContext} for one invocation. */
public final class LocalExecutionContext implements ExecutionContext {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String functionName;
    private final String invocationId;
    private final Logger logger;
    private final TraceContext traceContext;

    public LocalExecutionContext(String functionName, Map<String, String> requestHeaders) {
        this.functionName = functionName;
        this.invocationId = UUID.randomUUID().toString();
        this.logger = Logger.getLogger("Function." + functionName);
        this.traceContext = new LocalTraceContext(
                requestHeaders.getOrDefault("traceparent", newTraceparent()),
                requestHeaders.getOrDefault("tracestate", ""));
    }

    @Override
    public Logger getLogger() {
        return logger;
    }

    @Override
    public String getInvocationId() {
        return invocationId;
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    /** The caller's W3C trace context, or a new one when it sent none. */
    @Override
    public TraceContext getTraceContext() {
        return traceContext;
    }

    private static String newTraceparent() {
        byte[] traceId = new byte[16];
        byte[] spanId = new byte[8];
        RANDOM.nextBytes(traceId);
        RANDOM.nextBytes(spanId);
        return "00-" + HexFormat.of().formatHex(traceId) + "-" + HexFormat.of().formatHex(spanId) + "-01";
    }

    private record LocalTraceContext(String traceparent, String tracestate) implements TraceContext {
        @Override
        public String getTraceparent() {
            return traceparent;
        }

        @Override
        public String getTracestate() {
            return tracestate;
        }

        @Override
        public Map<String, String> getAttributes() {
            return Map.of();
        }
    }
}
