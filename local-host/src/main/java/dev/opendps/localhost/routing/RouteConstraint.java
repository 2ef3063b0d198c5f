package dev.opendps.localhost.routing;

import java.util.Locale;
import java.util.function.Predicate;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An inline route constraint such as {@code int} in {@code {id:int}}. The common ASP.NET Core constraints are
 * honoured; any other constraint is accepted but ignored (with a warning), as it only narrows matching.
 */
public final class RouteConstraint {

    private static final Logger LOG = Logger.getLogger(RouteConstraint.class.getName());
    private static final Pattern WITH_ARGUMENT = Pattern.compile("([a-zA-Z]+)\\((\\d+)\\)");
    private static final Pattern GUID = Pattern.compile(
            "\\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}}?");

    private final String text;
    private final Predicate<String> test;

    private RouteConstraint(String text, Predicate<String> test) {
        this.text = text;
        this.test = test;
    }

    /** Parses one constraint, e.g. {@code int}, {@code alpha} or {@code minlength(3)}. */
    public static RouteConstraint parse(String text) {
        String name = text.toLowerCase(Locale.ROOT);
        switch (name) {
            case "int":
                return new RouteConstraint(text, value -> parses(value, Integer::parseInt));
            case "long":
                return new RouteConstraint(text, value -> parses(value, Long::parseLong));
            case "alpha":
                return new RouteConstraint(text, value -> !value.isEmpty() && value.chars().allMatch(
                        c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')));
            case "bool":
                return new RouteConstraint(text, value -> value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false"));
            case "guid":
                return new RouteConstraint(text, value -> GUID.matcher(value).matches());
            default:
                break;
        }
        Matcher withArgument = WITH_ARGUMENT.matcher(text);
        if (withArgument.matches()) {
            int argument = Integer.parseInt(withArgument.group(2));
            switch (withArgument.group(1).toLowerCase(Locale.ROOT)) {
                case "minlength":
                    return new RouteConstraint(text, value -> value.length() >= argument);
                case "maxlength":
                    return new RouteConstraint(text, value -> value.length() <= argument);
                case "length":
                    return new RouteConstraint(text, value -> value.length() == argument);
                default:
                    break;
            }
        }
        LOG.warning(() -> "Route constraint '" + text + "' is not supported by the local host and is ignored");
        return new RouteConstraint(text, value -> true);
    }

    public boolean accepts(String value) {
        return test.test(value);
    }

    @Override
    public String toString() {
        return text;
    }

    private static boolean parses(String value, java.util.function.Consumer<String> parser) {
        try {
            parser.accept(value);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
