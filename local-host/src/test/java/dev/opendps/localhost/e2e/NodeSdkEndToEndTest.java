package dev.opendps.localhost.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opendps.service.InstanceBootstrap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Node.js SDKs ({@code azure-iot-provisioning-service} 1.11.2, {@code azure-iot-provisioning-device}
 * and {@code -http} 1.9.1, {@code azure-iot-security-symmetric-key} 1.8.2) against the running local stack,
 * unchanged: {@code compat/node/scenario.js} enrolls, registers an individual and a group device, reads the
 * state back, is refused with a wrong key, queries and deletes. Their SAS and HTTP habits differ from the
 * Java SDKs' (sdk-wire-notes.md), which is the point. Needs {@code node}; .ci/run installs the packages.
 */
class NodeSdkEndToEndTest {
    private static final Path SCENARIO_DIR = Path.of("..", "compat", "node").toAbsolutePath().normalize();

    @TempDir
    static Path dataDir;

    static LocalStackFixture dps;

    @BeforeAll
    static void startTheLocalStack() throws Exception {
        assumeTrue(run(List.of("node", "--version"), Map.of(), 30).exit == 0,
                "Node.js is not installed: the Node SDK compatibility check needs it (CI installs it)");
        if (!Files.isDirectory(SCENARIO_DIR.resolve("node_modules"))) {
            Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300);
            assertThat(install.exit).as("npm ci in compat/node: " + install.output).isZero();
        }
        dps = new LocalStackFixture(dataDir);
    }

    @AfterAll
    static void stopTheLocalStack() throws Exception {
        if (dps != null) {
            dps.close();
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command, Map<String, String> environment, int timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(SCENARIO_DIR.toFile()).redirectErrorStream(false);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException notInstalled) {
            return new Result(-1, notInstalled.getMessage());
        }
        process.getOutputStream().close();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-2, "timed out");
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.exitValue(), out + err);
    }

    @Test
    void theNodeServiceAndDeviceSdksWorkUnchanged() throws Exception {
        Result result = run(List.of("node", "scenario.js"), Map.of(
                "OPENDPS_PORT", String.valueOf(dps.stack.host().port()),
                "OPENDPS_CONNECTION_STRING", InstanceBootstrap.connectionString(dps.instance),
                "OPENDPS_ID_SCOPE", dps.instance.idScope(),
                "OPENDPS_RUN", "e2e",
                "NODE_EXTRA_CA_CERTS", dps.stack.host().caCertificatePath().toString()), 120);

        assertThat(result.exit).as(result.output).isZero();
        JsonNode observed = new ObjectMapper().readTree(result.output.lines()
                .filter(line -> line.startsWith("{")).reduce((a, b) -> b).orElseThrow());
        assertThat(observed.get("createdEtag").asText()).isNotBlank();
        assertThat(observed.get("readBackSameEtag").asBoolean()).isTrue();
        assertThat(observed.at("/individual/status").asText()).isEqualTo("assigned");
        assertThat(observed.at("/individual/deviceId").asText()).isEqualTo("node-dev-e2e");
        assertThat(observed.at("/individual/assignedHub").asText()).endsWith(".localhost");
        assertThat(observed.at("/group/status").asText()).isEqualTo("assigned");
        assertThat(observed.at("/state/assignedHub")).isEqualTo(observed.at("/individual/assignedHub"));
        assertThat(observed.get("wrongKey").asText()).isEqualTo("UnauthorizedError:401");
        assertThat(observed.get("queried").asBoolean()).isTrue();
        assertThat(observed.get("afterDelete").asInt()).isEqualTo(404);
        assertThat(dps.hubDevice(observed.at("/individual/assignedHub").asText(), "node-dev-e2e").orElseThrow()
                .tags().get("sdk").asText()).isEqualTo("node");
    }
}
