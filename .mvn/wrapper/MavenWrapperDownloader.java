import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Fetches and unpacks the pinned Maven distribution for ./mvnw with nothing but a JDK (no curl, wget or
 * unzip needed), checking it against the SHA-512 published beside it. Run as a source file:
 * {@code java MavenWrapperDownloader.java <zip url> <target dir>}.
 */
public class MavenWrapperDownloader {
    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        Path target = Path.of(args[1]);
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        Path zip = Files.createTempFile("maven-dist", ".zip");
        try {
            System.err.println("Downloading " + url);
            HttpResponse<Path> response = http.send(HttpRequest.newBuilder(url).build(),
                    HttpResponse.BodyHandlers.ofFile(zip));
            if (response.statusCode() != 200) {
                throw new IOException("GET " + url + " answered " + response.statusCode());
            }
            HttpResponse<String> sum = http.send(HttpRequest.newBuilder(URI.create(url + ".sha512")).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.US_ASCII));
            if (sum.statusCode() != 200) {
                throw new IOException("GET " + url + ".sha512 answered " + sum.statusCode());
            }
            String expected = sum.body().trim().split("\\s+")[0].toLowerCase();
            String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(Files.readAllBytes(zip)));
            if (!expected.equals(actual)) {
                throw new IOException("The SHA-512 of " + url + " does not match the published one");
            }
            Path staging = Files.createTempDirectory(target.getParent() == null ? Path.of(".") : createParent(target),
                    "unpack");
            unzip(zip, staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(zip);
        }
    }

    private static Path createParent(Path target) throws IOException {
        return Files.createDirectories(target.getParent());
    }

    private static void unzip(Path zip, Path into) throws IOException {
        try (InputStream in = Files.newInputStream(zip); ZipInputStream entries = new ZipInputStream(in)) {
            ZipEntry entry;
            while ((entry = entries.getNextEntry()) != null) {
                Path out = into.resolve(entry.getName()).normalize();
                if (!out.startsWith(into)) {
                    throw new IOException("Refusing zip entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(entries, out, StandardCopyOption.REPLACE_EXISTING);
                    if (out.getParent().getFileName().toString().equals("bin")) {
                        out.toFile().setExecutable(true);
                    }
                }
            }
        }
    }
}
