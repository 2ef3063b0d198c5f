package dev.opendps.localhost.routing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A route template as ASP.NET Core parses it for Functions: slash-separated segments, each either a literal
 * (matched case-insensitively) or one parameter: {@code {name}}, {@code {name?}} (optional, trailing),
 * {@code {name=default}}, {@code {*rest}} (catch-all, last) and inline constraints {@code {id:int}}.
 * Segments mixing literal text and parameters (e.g. {@code {a}.{b}}) are rejected.
 */
public final class RouteTemplate implements Comparable<RouteTemplate> {

    /** A template segment: either {@link Literal} or {@link Parameter}. */
    public sealed interface Segment permits Literal, Parameter {
        /** Lower rank = more specific; used for route precedence. */
        int rank();
    }

    public record Literal(String text) implements Segment {
        @Override
        public int rank() {
            return 0;
        }
    }

    public record Parameter(String name, boolean optional, boolean catchAll, String defaultValue,
                            List<RouteConstraint> constraints) implements Segment {
        @Override
        public int rank() {
            if (catchAll) {
                return 4;
            }
            if (optional || defaultValue != null) {
                return 3;
            }
            return constraints.isEmpty() ? 2 : 1;
        }

        boolean accepts(String value) {
            return constraints.stream().allMatch(c -> c.accepts(value));
        }
    }

    private final String text;
    private final List<Segment> segments;

    private RouteTemplate(String text, List<Segment> segments) {
        this.text = text;
        this.segments = segments;
    }

    /** Parses a template such as {@code api/enrollments/{registrationId}}; leading and trailing slashes are ignored. */
    public static RouteTemplate parse(String template) {
        String trimmed = trimSlashes(template == null ? "" : template.trim());
        List<Segment> segments = new ArrayList<>();
        if (!trimmed.isEmpty()) {
            for (String part : trimmed.split("/", -1)) {
                segments.add(parseSegment(part, template));
            }
        }
        validateOrder(segments, template);
        return new RouteTemplate(trimmed, Collections.unmodifiableList(segments));
    }

    /** Joins a host.json route prefix ("" for none) and a function route into one template. */
    public static RouteTemplate withPrefix(String routePrefix, String route) {
        String prefix = trimSlashes(routePrefix == null ? "" : routePrefix.trim());
        String path = trimSlashes(route == null ? "" : route.trim());
        if (prefix.isEmpty()) {
            return parse(path);
        }
        return parse(path.isEmpty() ? prefix : prefix + "/" + path);
    }

    public String text() {
        return text;
    }

    public List<Segment> segments() {
        return segments;
    }

    /**
     * Matches already split and percent-decoded path segments; returns the route values on success
     * (absent optional parameters are left out, defaults filled in).
     */
    public Optional<Map<String, String>> match(List<String> path) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            Segment segment = segments.get(i);
            if (segment instanceof Literal literal) {
                if (i >= path.size() || !literal.text().equalsIgnoreCase(path.get(i))) {
                    return Optional.empty();
                }
                continue;
            }
            Parameter parameter = (Parameter) segment;
            if (parameter.catchAll()) {
                String rest = i < path.size() ? String.join("/", path.subList(i, path.size())) : "";
                if (!rest.isEmpty()) {
                    if (!parameter.accepts(rest)) {
                        return Optional.empty();
                    }
                    values.put(parameter.name(), rest);
                }
                return Optional.of(values);
            }
            if (i < path.size()) {
                String value = path.get(i);
                if (value.isEmpty() || !parameter.accepts(value)) {
                    return Optional.empty();
                }
                values.put(parameter.name(), value);
            } else if (parameter.defaultValue() != null) {
                values.put(parameter.name(), parameter.defaultValue());
            } else if (!parameter.optional()) {
                return Optional.empty();
            }
        }
        return path.size() <= segments.size() ? Optional.of(values) : Optional.empty();
    }

    /**
     * Route precedence: compared segment by segment, a literal beats a constrained parameter, which beats a
     * parameter, which beats an optional one, which beats a catch-all; a template that has ended beats one
     * that goes on. Ties are broken by the template text so the order is stable.
     */
    @Override
    public int compareTo(RouteTemplate other) {
        int length = Math.max(segments.size(), other.segments.size());
        for (int i = 0; i < length; i++) {
            int mine = i < segments.size() ? segments.get(i).rank() : -1;
            int theirs = i < other.segments.size() ? other.segments.get(i).rank() : -1;
            if (mine != theirs) {
                return Integer.compare(mine, theirs);
            }
        }
        return text.toLowerCase(Locale.ROOT).compareTo(other.text.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return text;
    }

    private static Segment parseSegment(String part, String template) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("Empty segment in route template '" + template + "'");
        }
        boolean opens = part.startsWith("{");
        boolean closes = part.endsWith("}");
        if (!opens && !closes && part.indexOf('{') < 0 && part.indexOf('}') < 0) {
            return new Literal(part);
        }
        String inner = opens && closes ? part.substring(1, part.length() - 1) : null;
        if (inner == null || inner.isEmpty() || inner.indexOf('{') >= 0 || inner.indexOf('}') >= 0) {
            throw new IllegalArgumentException("Unsupported segment '" + part + "' in route template '" + template
                    + "': a segment must be a literal or a single {parameter}");
        }
        return parseParameter(inner, template);
    }

    private static Parameter parseParameter(String inner, String template) {
        boolean catchAll = false;
        if (inner.startsWith("**")) {
            catchAll = true;
            inner = inner.substring(2);
        } else if (inner.startsWith("*")) {
            catchAll = true;
            inner = inner.substring(1);
        }
        String defaultValue = null;
        int equals = inner.indexOf('=');
        if (equals >= 0) {
            defaultValue = inner.substring(equals + 1);
            inner = inner.substring(0, equals);
        }
        boolean optional = false;
        if (inner.endsWith("?")) {
            optional = true;
            inner = inner.substring(0, inner.length() - 1);
        }
        String[] parts = inner.split(":", -1);
        String name = parts[0].trim();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("Parameter without a name in route template '" + template + "'");
        }
        List<RouteConstraint> constraints = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].isBlank()) {
                constraints.add(RouteConstraint.parse(parts[i].trim()));
            }
        }
        return new Parameter(name, optional, catchAll, defaultValue, List.copyOf(constraints));
    }

    private static void validateOrder(List<Segment> segments, String template) {
        boolean sawOptional = false;
        for (int i = 0; i < segments.size(); i++) {
            Segment segment = segments.get(i);
            if (segment instanceof Parameter parameter) {
                if (parameter.catchAll() && i != segments.size() - 1) {
                    throw new IllegalArgumentException("A catch-all parameter must be last in '" + template + "'");
                }
                if (parameter.optional() || parameter.defaultValue() != null) {
                    sawOptional = true;
                    continue;
                }
                if (parameter.catchAll()) {
                    continue;
                }
            }
            if (sawOptional) {
                throw new IllegalArgumentException("Only trailing parameters may be optional in '" + template + "'");
            }
        }
    }

    private static String trimSlashes(String value) {
        int start = 0;
        int end = value.length();
        while (start < end && value.charAt(start) == '/') {
            start++;
        }
        while (end > start && value.charAt(end - 1) == '/') {
            end--;
        }
        return value.substring(start, end);
    }
}
