package dev.opendps.localhost.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteTemplateTest {

    private static Map<String, String> match(String template, String path) {
        return RouteTemplate.parse(template).match(PathSegments.split(path)).orElse(null);
    }

    @Test
    void literalsMatchCaseInsensitivelyAndExactlyInLength() {
        assertThat(match("api/Enrollments", "/API/enrollments")).isEmpty();
        assertThat(match("api/enrollments", "/api/enrollments/x")).isNull();
        assertThat(match("api/enrollments", "/api")).isNull();
    }

    @Test
    void parametersOptionalsDefaultsAndCatchAll() {
        assertThat(match("e/{id}", "/e/abc")).containsEntry("id", "abc");
        assertThat(match("e/{id}", "/e")).isNull();
        assertThat(match("e/{id?}", "/e")).isEmpty();
        assertThat(match("e/{id=none}", "/e")).containsEntry("id", "none");
        assertThat(match("f/{*rest}", "/f/a/b/c")).containsEntry("rest", "a/b/c");
        assertThat(match("f/{**rest}", "/f")).isEmpty();
    }

    @Test
    void constraints() {
        assertThat(match("n/{v:int}", "/n/-12")).containsEntry("v", "-12");
        assertThat(match("n/{v:int}", "/n/99999999999")).isNull();
        assertThat(match("n/{v:long}", "/n/99999999999")).containsEntry("v", "99999999999");
        assertThat(match("n/{v:alpha}", "/n/abcXYZ")).isNotNull();
        assertThat(match("n/{v:alpha}", "/n/ab1")).isNull();
        assertThat(match("n/{v:bool}", "/n/True")).isNotNull();
        assertThat(match("n/{v:guid}", "/n/6f9619ff-8b86-d011-b42d-00c04fc964ff")).isNotNull();
        assertThat(match("n/{v:minlength(3)}", "/n/ab")).isNull();
        assertThat(match("n/{v:int?}", "/n")).isEmpty();
        assertThat(match("n/{v:someunknown}", "/n/anything")).containsEntry("v", "anything");
    }

    @Test
    void pathSegmentsAreDecodedAfterSplitting() {
        assertThat(PathSegments.split("/a%2Fb/c%20d/e+f/")).containsExactly("a/b", "c d", "e+f");
        assertThat(PathSegments.split("/")).isEmpty();
        assertThatThrownBy(() -> PathSegments.split("/bad%zz")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void prefixIsJoined() {
        assertThat(RouteTemplate.withPrefix("api", "/x/{id}/").text()).isEqualTo("api/x/{id}");
        assertThat(RouteTemplate.withPrefix("", "x").text()).isEqualTo("x");
        assertThat(RouteTemplate.withPrefix("/api/", "").text()).isEqualTo("api");
    }

    @Test
    void precedenceLiteralThenConstrainedThenParameterThenOptionalThenCatchAll() {
        List<RouteTemplate> templates = new ArrayList<>(List.of(
                RouteTemplate.parse("e/{*rest}"), RouteTemplate.parse("e/{id?}"), RouteTemplate.parse("e/{id}"),
                RouteTemplate.parse("e/{id:int}"), RouteTemplate.parse("e/query")));
        Collections.shuffle(templates);
        Collections.sort(templates);
        assertThat(templates).extracting(RouteTemplate::text)
                .containsExactly("e/query", "e/{id:int}", "e/{id}", "e/{id?}", "e/{*rest}");
    }

    @Test
    void invalidTemplatesAreRejected() {
        assertThatThrownBy(() -> RouteTemplate.parse("a/{x}.{y}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouteTemplate.parse("a/{*rest}/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouteTemplate.parse("a/{x?}/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RouteTemplate.parse("a//b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tableChoosesByPrecedenceThenMethod() {
        RouteTable<String> table = new RouteTable<>(List.of(
                new RouteTable.Route<>(RouteTemplate.parse("enrollments/{id}"), Set.of("get", "PUT"), "byId"),
                new RouteTable.Route<>(RouteTemplate.parse("enrollments/query"), Set.of("POST"), "query"),
                new RouteTable.Route<>(RouteTemplate.parse("any"), Set.of(), "any")));
        assertThat(table.lookup("POST", List.of("enrollments", "query")))
                .isEqualTo(new RouteTable.Found<>("query", Map.of()));
        assertThat(table.lookup("get", List.of("enrollments", "query")))
                .isEqualTo(new RouteTable.Found<>("byId", Map.of("id", "query")));
        assertThat(table.lookup("DELETE", List.of("enrollments", "x"))).isInstanceOfSatisfying(
                RouteTable.MethodNotAllowed.class, m -> assertThat(m.allowedMethods()).containsExactly("GET", "PUT"));
        assertThat(table.lookup("PATCH", List.of("any"))).isInstanceOf(RouteTable.Found.class);
        assertThat(table.lookup("GET", List.of("nothing"))).isInstanceOf(RouteTable.NotFound.class);
    }
}
