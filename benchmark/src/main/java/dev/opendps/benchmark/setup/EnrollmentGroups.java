package dev.opendps.benchmark.setup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.benchmark.device.SharedAccessSignatures;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Creates symmetric-key enrollment groups through the service API over HTTPS, as a user would
 * (dps-protocol.md §4). A group that already exists (409) is reused with the keys the service holds for it,
 * read through {@code POST …/attestationmechanism}.
 */
public final class EnrollmentGroups {

    private static final String API_VERSION = "2021-10-01";
    private static final int PARALLEL_REQUESTS = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI serviceEndpoint;
    private final LocalStackConnection connection;
    private final SecureRandom random = new SecureRandom();

    public EnrollmentGroups(URI serviceEndpoint, Path caPem, LocalStackConnection connection)
            throws IOException, GeneralSecurityException {
        this.serviceEndpoint = serviceEndpoint;
        this.connection = connection;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(trusting(caPem))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** A group with its primary key, decoded. */
    public record SymmetricKeyGroup(String enrollmentGroupId, byte[] primaryKey, boolean reused) {
    }

    /** Ensures groups {@code <prefix>0000 …} up to {@code count} exist; returns them in order. */
    public List<SymmetricKeyGroup> ensure(String prefix, int count) throws IOException, InterruptedException {
        List<Callable<SymmetricKeyGroup>> tasks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = String.format("%s%04d", prefix, i);
            tasks.add(() -> ensureOne(id));
        }
        ExecutorService workers = Executors.newFixedThreadPool(Math.min(PARALLEL_REQUESTS, Math.max(1, count)));
        try {
            List<SymmetricKeyGroup> groups = new ArrayList<>(count);
            for (Future<SymmetricKeyGroup> group : workers.invokeAll(tasks)) {
                try {
                    groups.add(group.get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    throw new IOException("Could not set up enrollment groups at " + serviceEndpoint + ": "
                            + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()),
                            cause);
                }
            }
            return groups;
        } finally {
            workers.shutdownNow();
        }
    }

    private SymmetricKeyGroup ensureOne(String id) throws IOException, InterruptedException {
        byte[] primary = randomKey();
        ObjectNode body = JSON.createObjectNode().put("enrollmentGroupId", id);
        ObjectNode attestation = body.putObject("attestation").put("type", "symmetricKey");
        attestation.putObject("symmetricKey")
                .put("primaryKey", Base64.getEncoder().encodeToString(primary))
                .put("secondaryKey", Base64.getEncoder().encodeToString(randomKey()));
        HttpResponse<String> created = send("PUT", "/enrollmentGroups/" + id, JSON.writeValueAsString(body));
        if (created.statusCode() == 200 || created.statusCode() == 201) {
            return new SymmetricKeyGroup(id, primary, false);
        }
        if (created.statusCode() != 409) {
            throw new IOException("PUT /enrollmentGroups/" + id + " answered " + created.statusCode() + ": "
                    + created.body());
        }
        HttpResponse<String> existing = send("POST", "/enrollmentGroups/" + id + "/attestationmechanism", "");
        if (existing.statusCode() != 200) {
            throw new IOException("POST /enrollmentGroups/" + id + "/attestationmechanism answered "
                    + existing.statusCode() + ": " + existing.body());
        }
        JsonNode mechanism = JSON.readTree(existing.body());
        String key = mechanism.path("symmetricKey").path("primaryKey").asText("");
        if (!"symmetricKey".equals(mechanism.path("type").asText()) || key.isEmpty()) {
            throw new IOException("Enrollment group " + id + " exists but is not a symmetric-key group; "
                    + "choose another --group-prefix");
        }
        return new SymmetricKeyGroup(id, Base64.getDecoder().decode(key), true);
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        long expiry = System.currentTimeMillis() / 1000 + 3600;
        HttpRequest request = HttpRequest.newBuilder(serviceEndpoint.resolve(path + "?api-version=" + API_VERSION))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", SharedAccessSignatures.service(connection.serviceHostName(),
                        connection.policyName(), connection.policyKey(), expiry))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Accept", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private byte[] randomKey() {
        byte[] key = new byte[32];
        random.nextBytes(key);
        return key;
    }

    private static SSLContext trusting(Path caPem) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            trust.setCertificateEntry("local-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
