package dev.opendps.localhost.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Routes a method and path to a target the way ASP.NET Core endpoint routing does: candidates are tried in
 * precedence order, the first whose template matches and whose methods include the request method wins;
 * a path that matched only under other methods gives "method not allowed".
 *
 * @param <T> what a route leads to
 */
public final class RouteTable<T> {

    /** One route; an empty method set means every method. */
    public record Route<T>(RouteTemplate template, Set<String> methods, T target) {
        public Route {
            methods = methods.stream().map(m -> m.toUpperCase(Locale.ROOT)).collect(
                    java.util.stream.Collectors.toUnmodifiableSet());
        }

        boolean allows(String method) {
            return methods.isEmpty() || methods.contains(method);
        }
    }

    /** The outcome of a lookup. */
    public sealed interface Lookup<T> permits Found, NotFound, MethodNotAllowed {
    }

    public record Found<T>(T target, Map<String, String> routeValues) implements Lookup<T> {
    }

    public record NotFound<T>() implements Lookup<T> {
    }

    /** @param allowedMethods sorted */
    public record MethodNotAllowed<T>(Set<String> allowedMethods) implements Lookup<T> {
    }

    private final List<Route<T>> routes;

    public RouteTable(List<Route<T>> routes) {
        List<Route<T>> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparing(Route::template));
        this.routes = List.copyOf(sorted);
    }

    /** The routes in precedence order. */
    public List<Route<T>> routes() {
        return routes;
    }

    public Lookup<T> lookup(String method, List<String> pathSegments) {
        String upperMethod = method.toUpperCase(Locale.ROOT);
        java.util.SortedSet<String> otherMethods = null;
        for (Route<T> route : routes) {
            var values = route.template().match(pathSegments);
            if (values.isEmpty()) {
                continue;
            }
            if (route.allows(upperMethod)) {
                return new Found<>(route.target(), values.get());
            }
            if (otherMethods == null) {
                otherMethods = new TreeSet<>();
            }
            otherMethods.addAll(route.methods());
        }
        return otherMethods == null ? new NotFound<>() : new MethodNotAllowed<>(Collections.unmodifiableSortedSet(otherMethods));
    }
}
