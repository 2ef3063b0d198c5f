package dev.opendps.adapters.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.domain.allocation.AllocationRequest;
import dev.opendps.domain.port.AllocationWebhook;
import dev.opendps.wire.AllocationRequestJson;
import dev.opendps.wire.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * {@link AllocationWebhook} over {@code java.net.http}: {@code POST} with {@code Content-Type: application/json}
 * (dps-protocol.md §5), HTTP/1.1, no redirects followed. One timeout bounds connecting and, separately, the
 * whole exchange. HTTPS trusts the JDK's CAs plus, optionally, the CAs of a PEM file (e.g. the local host's
 * own CA, so webhooks it serves itself can be called).
 *
 * <p>Logs name the webhook by scheme, host and path only: its query carries the function key.
 */
public final class HttpAllocationWebhook implements AllocationWebhook {
    private static final System.Logger LOG = System.getLogger(HttpAllocationWebhook.class.getName());

    private final HttpClient client;
    private final Duration timeout;

    /**
     * @param timeout      how long connecting may take, and how long the whole call may take
     * @param extraCaFile  PEM file of CAs to trust besides the JDK's, or null
     */
    public HttpAllocationWebhook(Duration timeout, Path extraCaFile) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("The custom allocation timeout must be positive, was " + timeout);
        }
        this.timeout = timeout;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout);
        if (extraCaFile != null) {
            builder.sslContext(trusting(extraCaFile));
        }
        this.client = builder.build();
    }

    @Override
    public Outcome call(String webhookUrl, AllocationRequest request) {
        URI uri;
        HttpRequest post;
        try {
            uri = URI.create(webhookUrl);
            post = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(AllocationRequestJson.write(request))))
                    .build();
        } catch (IllegalArgumentException e) {
            // The message would quote the URL, key included.
            return new Outcome.Unreachable("the webhook URL is not a valid http(s) URL");
        }
        String target = withoutQuery(uri);
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(post, HttpResponse.BodyHandlers.ofByteArray());
        Outcome outcome;
        try {
            // The request timeout covers the answer's headers only: this bounds reading the body too.
            HttpResponse<byte[]> response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            outcome = new Outcome.Answered(response.statusCode(), parse(response.body()));
        } catch (TimeoutException e) {
            exchange.cancel(true);
            outcome = new Outcome.TimedOut(timeout);
        } catch (ExecutionException e) {
            outcome = failure(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.cancel(true);
            outcome = new Outcome.Unreachable("interrupted");
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        Outcome logged = outcome;
        LOG.log(System.Logger.Level.DEBUG, () -> "Custom allocation webhook " + target + ": " + describe(logged)
                + " in " + millis + " ms");
        return outcome;
    }

    private Outcome failure(Throwable cause) {
        if (cause instanceof HttpConnectTimeoutException || cause instanceof HttpTimeoutException) {
            return new Outcome.TimedOut(timeout);
        }
        if (cause instanceof ConnectException) {
            // The JDK wraps refused connections and unresolvable hosts alike; the innermost cause tells them apart.
            Throwable root = cause;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            return new Outcome.Unreachable(root instanceof UnresolvedAddressException
                    ? "host not found" : "connection refused");
        }
        if (cause instanceof SSLException) {
            // TLS messages name certificates and protocols, never the URL.
            return new Outcome.Unreachable("TLS failed: " + cause.getMessage());
        }
        if (cause instanceof IOException) {
            return new Outcome.Unreachable("I/O error: " + cause.getClass().getSimpleName());
        }
        return new Outcome.Unreachable("unexpected " + cause.getClass().getSimpleName());
    }

    /** The answer as JSON, or null when it is empty or not JSON (the allocation decides what that means). */
    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static String describe(Outcome outcome) {
        if (outcome instanceof Outcome.Answered answered) {
            return "HTTP " + answered.statusCode();
        }
        if (outcome instanceof Outcome.TimedOut timedOut) {
            return "no answer within " + timedOut.timeout().toSeconds() + " s";
        }
        return "unreachable (" + ((Outcome.Unreachable) outcome).reason() + ")";
    }

    static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    /** The JDK's trusted CAs plus every certificate in {@code pemFile}. */
    static SSLContext trusting(Path pemFile) {
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jdk.init((KeyStore) null);
            int n = 0;
            for (var manager : jdk.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate ca : x509.getAcceptedIssuers()) {
                        trusted.setCertificateEntry("jdk-" + n++, ca);
                    }
                }
            }
            Collection<? extends Certificate> extra;
            try (InputStream in = Files.newInputStream(pemFile)) {
                extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (extra.isEmpty()) {
                throw new IllegalArgumentException("The custom allocation CA file " + pemFile + " holds no certificate");
            }
            for (Certificate ca : extra) {
                trusted.setCertificateEntry("extra-" + n++, ca);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new IllegalArgumentException("The custom allocation CA file " + pemFile + " cannot be read: "
                    + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("The custom allocation CA file " + pemFile
                    + " is not a PEM file of certificates: " + e.getMessage(), e);
        }
    }
}
