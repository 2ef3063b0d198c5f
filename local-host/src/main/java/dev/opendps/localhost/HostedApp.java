package dev.opendps.localhost;

import dev.opendps.localhost.auth.FunctionKeys;

import java.nio.file.Path;
import java.util.List;

/**
 * A function app as the running host serves it.
 *
 * @param name        the app directory's name (also the key file's name)
 * @param routePrefix host.json's route prefix ("" = routes at the root)
 * @param keys        the keys that open its function- and admin-level functions
 * @param functions   its HTTP functions in route precedence order
 */
public record HostedApp(String name, Path directory, String routePrefix, FunctionKeys keys,
                        List<HostedFunction> functions) {

    public HostedApp {
        functions = List.copyOf(functions);
    }
}
