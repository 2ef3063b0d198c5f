package dev.opendps.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.opendps.allocation.webhook.RequestBody;
import dev.opendps.config.AppSettings;
import dev.opendps.wire.Json;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The functions as the host calls them: a request in, an HTTP response with a JSON body out. */
class AllocationFunctionsTest {
    private static final String HUB_A = "hub-a.azure-devices.net";
    private static final String HUB_B = "hub-b.azure-devices.net";
    private static final String RECORDS = """
            {"tenants":{"contoso":{"name":"Contoso Ltd","hubs":["%s"]}},
             "sales":[{"serialNumber":"SN-1","tenant":"contoso"}]}""".formatted(HUB_B);

    @TempDir
    Path dataDir;

    private AllocationApplication application(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("DPS_DATA_DIR", dataDir.toString());
        return AllocationApplication.create(AppSettings.of(all));
    }

    private static FakeHttpRequest post(String body) {
        return new FakeHttpRequest(HttpMethod.POST, body);
    }

    private static JsonNode json(HttpResponseMessage response) {
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/json; charset=utf-8");
        return Json.parse(((String) response.getBody()).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void multitenancyAssignsADeviceAfterTheRecordsAreUploaded() throws Exception {
        AllocationApplication application = application(Map.of());
        HttpResponseMessage upload = new MultitenancyRecordsFunction(application)
                .replace(new FakeHttpRequest(HttpMethod.PUT, RECORDS), null);
        assertThat(upload.getStatusCode()).isEqualTo(200);
        assertThat(Files.exists(dataDir.resolve("allocation").resolve("multitenancy.json"))).isTrue();

        HttpResponseMessage response = new MultitenancyAllocationFunction(application).allocate(
                post(RequestBody.device("dev-1").payload("{\"serialNumber\":\"SN-1\"}").linkedHubs(HUB_A, HUB_B).json()),
                null);

        assertThat(response.getStatusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("iotHubHostName").asText()).isEqualTo(HUB_B);
        assertThat(body.at("/initialTwin/tags/tenantName").asText()).isEqualTo("Contoso Ltd");
        assertThat(body.at("/payload/tenant").asText()).isEqualTo("contoso");
    }

    @Test
    void theRecordsFileComesFromItsSetting() throws Exception {
        Path file = dataDir.resolve("elsewhere.json");
        Files.writeString(file, RECORDS);
        AllocationApplication application = application(Map.of("ALLOCATION_MULTITENANCY_FILE", file.toString()));

        HttpResponseMessage response = new MultitenancyAllocationFunction(application).allocate(
                post(RequestBody.device("dev-1").payload("{\"serialNumber\":\"SN-1\"}").linkedHubs(HUB_B).json()), null);

        assertThat(response.getStatusCode()).isEqualTo(200);
    }

    @Test
    void anUploadNamingAnUnknownTenantIs400() {
        HttpResponseMessage response = new MultitenancyRecordsFunction(application(Map.of())).replace(
                new FakeHttpRequest(HttpMethod.PUT, "{\"sales\":[{\"registrationId\":\"d\",\"tenant\":\"x\"}]}"), null);

        assertThat(response.getStatusCode()).isEqualTo(400);
        assertThat(json(response).get("message").asText()).isEqualTo("sales[0] names the unknown tenant 'x'");
    }

    @Test
    void geoShardingReadsItsHubsFromAnInlineSetting() {
        AllocationApplication application = application(Map.of("ALLOCATION_GEO_HUBS",
                "{\"%s\":{\"region\":\"westeurope\"},\"%s\":{\"region\":\"eastus\"}}".formatted(HUB_A, HUB_B)));

        HttpResponseMessage response = new GeoShardingAllocationFunction(application).allocate(
                post(RequestBody.device("dev-1").payload("{\"region\":\"northeurope\"}").linkedHubs(HUB_A, HUB_B).json()),
                null);

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(json(response).get("iotHubHostName").asText()).isEqualTo(HUB_A);
    }

    @Test
    void solutionIsolationReadsItsSolutionsFromAFile() throws Exception {
        Path file = dataDir.resolve("solutions.json");
        Files.writeString(file, "{\"kitchen\":{\"hubs\":[\"%s\"],\"deviceTypes\":[\"toaster\"]}}".formatted(HUB_A));
        AllocationApplication application = application(Map.of("ALLOCATION_SOLUTIONS", file.toString()));

        HttpResponseMessage response = new SolutionIsolationAllocationFunction(application).allocate(
                post(RequestBody.device("t-1").payload("{\"deviceType\":\"toaster\"}").linkedHubs(HUB_B, HUB_A).json()),
                null);

        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(json(response).at("/initialTwin/tags/solution").asText()).isEqualTo("kitchen");
    }

    @Test
    void withNothingConfiguredEveryFunctionRefusesWithAReason() {
        AllocationApplication application = application(Map.of());
        String body = RequestBody.device("dev-1").linkedHubs(HUB_A).json();

        HttpResponseMessage multitenancy = new MultitenancyAllocationFunction(application).allocate(post(body), null);
        HttpResponseMessage geo = new GeoShardingAllocationFunction(application).allocate(post(body), null);
        HttpResponseMessage solution = new SolutionIsolationAllocationFunction(application).allocate(post(body), null);

        assertThat(multitenancy.getStatusCode()).isEqualTo(404);
        assertThat(json(multitenancy).get("message").asText()).startsWith("No sales record for the device 'dev-1'");
        assertThat(geo.getStatusCode()).isEqualTo(400);
        assertThat(json(geo).get("message").asText()).contains("ALLOCATION_GEO_HUBS is not configured");
        assertThat(solution.getStatusCode()).isEqualTo(400);
        assertThat(json(solution).get("message").asText()).contains("ALLOCATION_SOLUTIONS is not configured");
    }

    @Test
    void aBrokenSettingIsARefusalNamingIt() {
        AllocationApplication application = application(Map.of("ALLOCATION_SOLUTIONS", "{\"kitchen\":",
                "ALLOCATION_GEO_HUBS", "/no/such/geo.json"));
        String body = RequestBody.device("dev-1").linkedHubs(HUB_A).json();

        HttpResponseMessage solution = new SolutionIsolationAllocationFunction(application).allocate(post(body), null);
        HttpResponseMessage geo = new GeoShardingAllocationFunction(application).allocate(post(body), null);

        assertThat(solution.getStatusCode()).isEqualTo(400);
        assertThat(json(solution).get("message").asText())
                .startsWith("Solution isolation is misconfigured: ALLOCATION_SOLUTIONS is not valid JSON (line 1");
        assertThat(geo.getStatusCode()).isEqualTo(400);
        assertThat(json(geo).get("message").asText()).isEqualTo(
                "Geo-sharding is misconfigured: ALLOCATION_GEO_HUBS names a file that does not exist: /no/such/geo.json");
    }

    @Test
    void malformedOrMissingBodiesAre400() {
        AllocationApplication application = application(Map.of());

        HttpResponseMessage malformed = new GeoShardingAllocationFunction(application).allocate(post("{\"a\":"), null);
        HttpResponseMessage missing = new MultitenancyAllocationFunction(application).allocate(post(null), null);

        assertThat(malformed.getStatusCode()).isEqualTo(400);
        assertThat(json(malformed).get("message").asText()).startsWith("The request body is not valid JSON");
        assertThat(missing.getStatusCode()).isEqualTo(400);
        assertThat(json(missing).get("message").asText()).contains("empty");
    }

    @Test
    void theInjectorBuildsFunctionsWithoutTheApplicationToo() throws Exception {
        assertThat(new AllocationInjector().getInstance(HealthFunction.class)).isInstanceOf(HealthFunction.class);
    }

    @Test
    void routesMethodsAndAuthLevelsAreTheDocumentedOnes() {
        assertTrigger(MultitenancyAllocationFunction.class, "allocation/multitenancy", HttpMethod.POST,
                AuthorizationLevel.FUNCTION);
        assertTrigger(GeoShardingAllocationFunction.class, "allocation/geo-sharding", HttpMethod.POST,
                AuthorizationLevel.FUNCTION);
        assertTrigger(SolutionIsolationAllocationFunction.class, "allocation/solution-isolation", HttpMethod.POST,
                AuthorizationLevel.FUNCTION);
        assertTrigger(MultitenancyRecordsFunction.class, "allocation/multitenancy/records", HttpMethod.PUT,
                AuthorizationLevel.ADMIN);
    }

    private static void assertTrigger(Class<?> functionClass, String route, HttpMethod method, AuthorizationLevel level) {
        Method function = Arrays.stream(functionClass.getMethods())
                .filter(m -> m.isAnnotationPresent(com.microsoft.azure.functions.annotation.FunctionName.class))
                .findFirst().orElseThrow();
        HttpTrigger trigger = function.getParameters()[0].getAnnotation(HttpTrigger.class);
        assertThat(trigger.route()).isEqualTo(route);
        assertThat(trigger.methods()).containsExactly(method);
        assertThat(trigger.authLevel()).isEqualTo(level);
    }
}
