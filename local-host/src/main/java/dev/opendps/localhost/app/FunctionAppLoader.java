package dev.opendps.localhost.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.opendps.localhost.auth.AuthLevel;
import dev.opendps.localhost.http.Json;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Loads a packaged function app directory (what azure-functions-maven-plugin stages): host.json, one
 * {@code <Function>/function.json} per function, the script jar they name and {@code lib/*.jar}.
 * Only HTTP-triggered functions are served; others are skipped with a note.
 */
public final class FunctionAppLoader {

    private static final Logger LOG = Logger.getLogger(FunctionAppLoader.class.getName());
    private static final String DEFAULT_ROUTE_PREFIX = "api";

    private FunctionAppLoader() {
    }

    /** Loads an app whose library interfaces resolve through {@code hostClassLoader}. */
    public static FunctionApp load(Path appDirectory, ClassLoader hostClassLoader) throws IOException {
        Path directory = appDirectory.toAbsolutePath().normalize();
        Path hostJson = directory.resolve("host.json");
        if (!Files.isRegularFile(hostJson)) {
            throw new IOException("Not a function app (no host.json): " + directory);
        }
        String name = directory.getFileName().toString();
        String routePrefix = routePrefixOf(Json.MAPPER.readTree(hostJson.toFile()));
        List<FunctionDefinition> definitions = readFunctions(directory);

        Set<Path> classPath = new LinkedHashSet<>();
        for (FunctionDefinition definition : definitions) {
            if (!Files.exists(definition.scriptFile())) {
                throw new IOException("Function " + definition.name() + ": scriptFile not found: " + definition.scriptFile());
            }
            classPath.add(definition.scriptFile());
        }
        classPath.addAll(libraryJars(directory.resolve("lib")));
        List<URL> urls = new ArrayList<>();
        for (Path entry : classPath) {
            urls.add(entry.toUri().toURL());
        }

        AppClassLoader classLoader = new AppClassLoader(name, urls, hostClassLoader);
        try {
            FunctionInstanceProvider instances = FunctionInstanceProvider.forApp(classLoader);
            List<FunctionInvoker> invokers = new ArrayList<>();
            for (FunctionDefinition definition : definitions) {
                invokers.add(FunctionInvoker.create(definition, classLoader, instances));
            }
            return new FunctionApp(name, directory, routePrefix, classLoader, instances.usesInjector(), invokers);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            classLoader.close();
            throw new IOException("Could not load function app " + name + ": " + e, e);
        }
    }

    static String routePrefixOf(JsonNode hostJson) {
        JsonNode prefix = hostJson.path("extensions").path("http").path("routePrefix");
        if (prefix.isMissingNode() || prefix.isNull()) {
            return DEFAULT_ROUTE_PREFIX;
        }
        return stripSlashes(prefix.asText().trim());
    }

    private static List<FunctionDefinition> readFunctions(Path directory) throws IOException {
        List<FunctionDefinition> definitions = new ArrayList<>();
        List<Path> functionDirectories;
        try (Stream<Path> children = Files.list(directory)) {
            functionDirectories = children.filter(p -> Files.isRegularFile(p.resolve("function.json"))).sorted().toList();
        }
        for (Path functionDirectory : functionDirectories) {
            FunctionDefinition definition = readFunction(functionDirectory);
            if (definition != null) {
                definitions.add(definition);
            }
        }
        return definitions;
    }

    /** Reads one function.json; null when the function is disabled or not HTTP-triggered. */
    static FunctionDefinition readFunction(Path functionDirectory) throws IOException {
        String name = functionDirectory.getFileName().toString();
        JsonNode json = Json.MAPPER.readTree(functionDirectory.resolve("function.json").toFile());
        if (json.path("disabled").asBoolean(false)) {
            LOG.info(() -> "Function " + name + " is disabled in its function.json; not serving it");
            return null;
        }
        JsonNode trigger = null;
        for (JsonNode binding : json.path("bindings")) {
            if ("httpTrigger".equalsIgnoreCase(binding.path("type").asText())) {
                trigger = binding;
            }
        }
        if (trigger == null) {
            LOG.info(() -> "Function " + name + " has no HTTP trigger; the local host serves HTTP triggers only");
            return null;
        }
        String scriptFile = requiredText(json, "scriptFile", name);
        String entryPoint = requiredText(json, "entryPoint", name);
        if (entryPoint.indexOf('.') <= 0) {
            throw new IOException("Function " + name + ": entryPoint must be Class.method, got " + entryPoint);
        }
        String route = trigger.hasNonNull("route") ? trigger.get("route").asText() : name;
        Set<String> methods = new LinkedHashSet<>();
        for (JsonNode method : trigger.path("methods")) {
            methods.add(method.asText().trim().toUpperCase(Locale.ROOT));
        }
        AuthLevel authLevel;
        try {
            authLevel = AuthLevel.parse(trigger.path("authLevel").asText(null));
        } catch (IllegalArgumentException e) {
            throw new IOException("Function " + name + ": unknown authLevel " + trigger.path("authLevel").asText(), e);
        }
        return new FunctionDefinition(name, functionDirectory.resolve(scriptFile).normalize(), entryPoint,
                trigger.path("name").asText("req"), route, methods, authLevel);
    }

    private static List<Path> libraryJars(Path lib) throws IOException {
        if (!Files.isDirectory(lib)) {
            return List.of();
        }
        try (Stream<Path> jars = Files.list(lib)) {
            return jars.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        }
    }

    private static String requiredText(JsonNode json, String field, String functionName) throws IOException {
        String value = json.path(field).asText("");
        if (value.isBlank()) {
            throw new IOException("Function " + functionName + ": function.json has no " + field);
        }
        return value;
    }

    private static String stripSlashes(String value) {
        String result = value;
        while (result.startsWith("/")) {
            result = result.substring(1);
        }
        while (result.endsWith("/")) {
            result = result.substring(0, result.length() - 1);
        }
        return result;
    }
}
