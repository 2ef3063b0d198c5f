package dev.opendps.localhost.app;

import com.microsoft.azure.functions.HttpRequestMessage;
import dev.opendps.localhost.auth.AuthLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FunctionAppLoaderTest {

    private static final String FIXTURES = "dev.opendps.localhost.fixture.FixtureFunctions";

    @TempDir
    Path app;

    private void hostJson(String json) throws IOException {
        Files.writeString(app.resolve("host.json"), json);
    }

    private void function(String name, String json) throws IOException {
        Files.createDirectories(app.resolve(name));
        Files.writeString(app.resolve(name).resolve("function.json"), json.replace("SCRIPT", scriptFile(name)));
    }

    private String scriptFile(String name) {
        try {
            Path classes = Path.of(getClass().getProtectionDomain().getCodeSource().getLocation().toURI());
            return app.resolve(name).relativize(classes).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private FunctionApp load() throws IOException {
        return FunctionAppLoader.load(app, getClass().getClassLoader());
    }

    @Test
    void readsPluginStyleFunctionJsonAndSkipsWhatItCannotServe() throws Exception {
        hostJson("{\"version\":\"2.0\",\"extensions\":{\"http\":{\"routePrefix\":\"/v1/\"}}}");
        function("Get", "{\"scriptFile\":\"SCRIPT\",\"entryPoint\":\"" + FIXTURES + ".whoAmI\",\"bindings\":["
                + "{\"type\":\"httpTrigger\",\"direction\":\"in\",\"name\":\"req\",\"methods\":[\"get\",\"Post\"]},"
                + "{\"type\":\"http\",\"direction\":\"out\",\"name\":\"$return\"}]}");
        function("Timer", "{\"scriptFile\":\"SCRIPT\",\"entryPoint\":\"" + FIXTURES + ".whoAmI\",\"bindings\":["
                + "{\"type\":\"timerTrigger\",\"direction\":\"in\",\"name\":\"t\",\"schedule\":\"0 * * * * *\"}]}");
        function("Off", "{\"disabled\":true,\"scriptFile\":\"SCRIPT\",\"entryPoint\":\"" + FIXTURES + ".whoAmI\","
                + "\"bindings\":[{\"type\":\"httpTrigger\",\"direction\":\"in\",\"name\":\"req\"}]}");
        try (FunctionApp loaded = load()) {
            assertThat(loaded.routePrefix()).isEqualTo("v1");
            assertThat(loaded.functions()).singleElement().satisfies(f -> {
                assertThat(f.definition().name()).isEqualTo("Get");
                assertThat(f.definition().route()).isEqualTo("Get");
                assertThat(f.definition().methods()).containsExactlyInAnyOrder("GET", "POST");
                assertThat(f.definition().authLevel()).isEqualTo(AuthLevel.FUNCTION);
            });
            assertThat(loaded.usesInjector()).isFalse();
        }
    }

    @Test
    void routePrefixDefaultsToApi() throws Exception {
        hostJson("{\"version\":\"2.0\"}");
        try (FunctionApp loaded = load()) {
            assertThat(loaded.routePrefix()).isEqualTo("api");
            assertThat(loaded.functions()).isEmpty();
        }
    }

    @Test
    void classLoaderIsChildFirstExceptForTheFunctionsLibrary() throws Exception {
        hostJson("{}");
        function("Get", "{\"scriptFile\":\"SCRIPT\",\"entryPoint\":\"" + FIXTURES + ".whoAmI\",\"bindings\":["
                + "{\"type\":\"httpTrigger\",\"direction\":\"in\",\"name\":\"req\",\"authLevel\":\"anonymous\"}]}");
        try (FunctionApp loaded = load()) {
            ClassLoader loader = loaded.classLoader();
            assertThat(loader.loadClass(FIXTURES).getClassLoader()).isSameAs(loader);
            assertThat(loader.loadClass(HttpRequestMessage.class.getName())).isSameAs(HttpRequestMessage.class);
            assertThat(loader.loadClass("java.lang.String")).isSameAs(String.class);
            // not in the app's class path: falls back to the host
            assertThat(loader.loadClass(FunctionAppLoader.class.getName())).isSameAs(FunctionAppLoader.class);
        }
    }

    @Test
    void missingScriptFileOrEntryPointIsAnError() throws Exception {
        hostJson("{}");
        function("Broken", "{\"scriptFile\":\"../missing.jar\",\"entryPoint\":\"a.B.c\",\"bindings\":["
                + "{\"type\":\"httpTrigger\",\"direction\":\"in\",\"name\":\"req\"}]}");
        assertThatThrownBy(this::load).hasMessageContaining("scriptFile not found");

        function("Broken", "{\"scriptFile\":\"SCRIPT\",\"entryPoint\":\"" + FIXTURES + ".noSuchMethod\",\"bindings\":["
                + "{\"type\":\"httpTrigger\",\"direction\":\"in\",\"name\":\"req\"}]}");
        assertThatThrownBy(this::load).hasMessageContaining("noSuchMethod");
    }

    @Test
    void noHostJsonIsNotAnApp() {
        assertThatThrownBy(this::load).hasMessageContaining("host.json");
    }
}
