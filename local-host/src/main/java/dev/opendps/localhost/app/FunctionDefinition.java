package dev.opendps.localhost.app;

import dev.opendps.localhost.auth.AuthLevel;

import java.nio.file.Path;
import java.util.Set;

/**
 * An HTTP-triggered function as its function.json describes it.
 *
 * @param name        the function's directory name
 * @param scriptFile  the jar (or class directory) holding the function class, resolved against the function directory
 * @param entryPoint  {@code fully.qualified.Class.method}
 * @param triggerName the name of the httpTrigger binding (the request parameter's binding name)
 * @param route       the route template without the host's prefix
 * @param methods     upper-case methods; empty = all methods
 * @param authLevel   who may call it
 */
public record FunctionDefinition(String name, Path scriptFile, String entryPoint, String triggerName, String route,
                                 Set<String> methods, AuthLevel authLevel) {

    public FunctionDefinition {
        methods = Set.copyOf(methods);
    }

    public String className() {
        return entryPoint.substring(0, entryPoint.lastIndexOf('.'));
    }

    public String methodName() {
        return entryPoint.substring(entryPoint.lastIndexOf('.') + 1);
    }
}
