package dev.opendps.api;

import static dev.opendps.api.ServiceApiFixture.body;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One structured {@code ServiceOperations} line per service API call, naming the call and never a secret. */
class ServiceOperationsLogTest {
    private static final Logger LOG = Logger.getLogger("ServiceOperations");

    @TempDir
    java.nio.file.Path dataDir;

    ServiceApiFixture dps;
    final List<String> lines = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    Level previousLevel;

    @BeforeEach
    void start() {
        dps = new ServiceApiFixture(dataDir);
        previousLevel = LOG.getLevel();
        LOG.setLevel(Level.INFO);
        LOG.addHandler(capture);
    }

    @AfterEach
    void stop() throws Exception {
        LOG.removeHandler(capture);
        LOG.setLevel(previousLevel);
        dps.close();
    }

    @Test
    void aSuccessfulCallLogsOperationInstanceRecordStatusLatencyAndTrackingIdButNoSecret() {
        ServiceApiFixture.Request request = dps.owner("PUT")
                .json("{\"registrationId\":\"log-1\",\"attestation\":{\"type\":\"symmetricKey\"}}");
        String token = request.headers.get("Authorization");

        ApiResponse response = dps.api.individualEnrollment(request.build(), "log-1");

        assertThat(response.status()).isEqualTo(200);
        String key = body(response).at("/attestation/symmetricKey/primaryKey").asText();
        assertThat(lines).hasSize(1);
        String line = lines.get(0);
        assertThat(line).matches("enrollment\\.PUT instance=" + dps.instance.idScope() + " recordId=log-1"
                + " outcome=success status=200 errorCode=- latencyMs=\\d+\\.\\d{3} trackingId=[0-9a-f-]{36}");
        assertThat(line).doesNotContain(token, key, "SharedAccessSignature", dps.owner().primaryKey());
    }

    @Test
    void aFailedCallLogsTheSameTrackingIdAsTheErrorBody() {
        ApiResponse response = dps.api.individualEnrollment(dps.owner("GET").build(), "missing");

        assertThat(response.status()).isEqualTo(404);
        String trackingId = body(response).get("trackingId").asText();
        int errorCode = body(response).get("errorCode").asInt();
        assertThat(lines).singleElement().asString()
                .startsWith("enrollment.GET instance=" + dps.instance.idScope() + " recordId=missing outcome=failure"
                        + " status=404 errorCode=" + errorCode + " ")
                .endsWith(" trackingId=" + trackingId);
    }

    @Test
    void aRefusedTokenLogsNoInstanceAndNotTheToken() {
        String expired = ServiceApiFixture.token(dps.owner(), Instant.now().minus(Duration.ofHours(1)));
        ServiceApiFixture.Request request = new ServiceApiFixture.Request(expired).method("GET");

        ApiResponse response = dps.api.individualEnrollment(request.build(), "log-2");

        assertThat(response.status()).isEqualTo(401);
        assertThat(lines).singleElement().asString()
                .startsWith("enrollment.GET instance=- recordId=log-2 outcome=failure status=401 errorCode=401")
                .doesNotContain(expired);
    }
}
