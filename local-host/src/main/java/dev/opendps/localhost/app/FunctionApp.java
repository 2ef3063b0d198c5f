package dev.opendps.localhost.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A loaded function app: its HTTP functions ready to invoke.
 *
 * @param name        the app directory's name
 * @param routePrefix host.json's {@code extensions.http.routePrefix} ("api" when absent, "" for none)
 */
public record FunctionApp(String name, Path directory, String routePrefix, AppClassLoader classLoader,
                          boolean usesInjector, List<FunctionInvoker> functions) implements AutoCloseable {

    public FunctionApp {
        functions = List.copyOf(functions);
    }

    @Override
    public void close() throws IOException {
        classLoader.close();
    }
}
