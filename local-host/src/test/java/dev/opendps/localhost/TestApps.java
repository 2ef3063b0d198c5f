package dev.opendps.localhost;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.localhost.fixture.FixtureFunctions;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Writes packaged-app directories like the Maven plugin's, whose scriptFile points at the test classes. */
final class TestApps {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FIXTURES = FixtureFunctions.class.getName();

    /** One function.json: {@code methods} null = absent (all methods); {@code route} null = absent. */
    record Fn(String name, String entryPoint, String route, List<String> methods, String authLevel) {
        static Fn of(String name, String method, String route, String... methods) {
            return new Fn(name, FIXTURES + "." + method, route, methods.length == 0 ? null : List.of(methods), "ANONYMOUS");
        }

        Fn auth(String level) {
            return new Fn(name, entryPoint, route, methods, level);
        }
    }

    private TestApps() {
    }

    static Path testClasses() {
        try {
            return Path.of(FixtureFunctions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes {@code root/name} with a host.json ({@code routePrefix} null = no http section) and the functions.
     */
    static Path write(Path root, String name, String routePrefix, List<Fn> functions) throws IOException {
        Path app = root.resolve(name);
        Files.createDirectories(app.resolve("lib"));
        ObjectNode host = JSON.createObjectNode().put("version", "2.0");
        if (routePrefix != null) {
            host.putObject("extensions").putObject("http").put("routePrefix", routePrefix);
        }
        Files.writeString(app.resolve("host.json"), JSON.writeValueAsString(host));
        for (Fn function : functions) {
            Path directory = app.resolve(function.name());
            Files.createDirectories(directory);
            ObjectNode json = JSON.createObjectNode();
            json.put("scriptFile", directory.relativize(testClasses()).toString());
            json.put("entryPoint", function.entryPoint());
            ArrayNode bindings = json.putArray("bindings");
            ObjectNode trigger = bindings.addObject().put("type", "httpTrigger").put("direction", "in").put("name", "req");
            if (function.route() != null) {
                trigger.put("route", function.route());
            }
            if (function.methods() != null) {
                ArrayNode methods = trigger.putArray("methods");
                function.methods().forEach(methods::add);
            }
            trigger.put("authLevel", function.authLevel());
            bindings.addObject().put("type", "http").put("direction", "out").put("name", "$return");
            Files.writeString(directory.resolve("function.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        }
        return app;
    }

    /** Adds {@code lib/<jarName>} holding only a META-INF/services registration, as an app shipping a provider. */
    static void addServiceJar(Path app, String jarName, String service, String provider) throws IOException {
        try (OutputStream file = Files.newOutputStream(app.resolve("lib").resolve(jarName));
             JarOutputStream jar = new JarOutputStream(file)) {
            jar.putNextEntry(new JarEntry("META-INF/services/" + service));
            jar.write((provider + "\n").getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
    }
}
