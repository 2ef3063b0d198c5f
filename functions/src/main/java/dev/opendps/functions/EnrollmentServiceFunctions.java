package dev.opendps.functions;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import dev.opendps.api.ServiceApi;
import dev.opendps.app.ProvisioningApplication;
import java.util.Optional;

/**
 * The enrollment service API (dps-protocol.md §4.2), one function per route. Routes are anonymous at the
 * Functions level because the API authenticates with DPS SAS tokens itself (§4.1).
 */
public class EnrollmentServiceFunctions {
    private final ServiceApi api;

    public EnrollmentServiceFunctions(ProvisioningApplication application) {
        this.api = application.serviceApi();
    }

    @FunctionName("IndividualEnrollment")
    public HttpResponseMessage individualEnrollment(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE},
                    authLevel = AuthorizationLevel.ANONYMOUS, route = "enrollments/{registrationId}")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("registrationId") String registrationId,
            ExecutionContext context) {
        return HttpMapping.response(request, api.individualEnrollment(HttpMapping.request(request), registrationId));
    }

    @FunctionName("IndividualEnrollmentAttestationMechanism")
    public HttpResponseMessage individualEnrollmentAttestation(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "enrollments/{registrationId}/attestationmechanism")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("registrationId") String registrationId,
            ExecutionContext context) {
        return HttpMapping.response(request,
                api.individualEnrollmentAttestation(HttpMapping.request(request), registrationId));
    }

    @FunctionName("IndividualEnrollmentQuery")
    public HttpResponseMessage individualEnrollmentQuery(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "enrollments/query")
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return HttpMapping.response(request, api.individualEnrollmentQuery(HttpMapping.request(request)));
    }

    @FunctionName("IndividualEnrollmentBulk")
    public HttpResponseMessage individualEnrollmentBulk(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "enrollments")
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return HttpMapping.response(request, api.individualEnrollmentBulk(HttpMapping.request(request)));
    }

    @FunctionName("EnrollmentGroup")
    public HttpResponseMessage enrollmentGroup(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE},
                    authLevel = AuthorizationLevel.ANONYMOUS, route = "enrollmentGroups/{enrollmentGroupId}")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("enrollmentGroupId") String enrollmentGroupId,
            ExecutionContext context) {
        return HttpMapping.response(request, api.enrollmentGroup(HttpMapping.request(request), enrollmentGroupId));
    }

    @FunctionName("EnrollmentGroupAttestationMechanism")
    public HttpResponseMessage enrollmentGroupAttestation(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "enrollmentGroups/{enrollmentGroupId}/attestationmechanism")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("enrollmentGroupId") String enrollmentGroupId,
            ExecutionContext context) {
        return HttpMapping.response(request,
                api.enrollmentGroupAttestation(HttpMapping.request(request), enrollmentGroupId));
    }

    @FunctionName("EnrollmentGroupQuery")
    public HttpResponseMessage enrollmentGroupQuery(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "enrollmentGroups/query")
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return HttpMapping.response(request, api.enrollmentGroupQuery(HttpMapping.request(request)));
    }

    @FunctionName("EnrollmentGroupBulk")
    public HttpResponseMessage enrollmentGroupBulk(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "enrollmentGroups")
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return HttpMapping.response(request, api.enrollmentGroupBulk(HttpMapping.request(request)));
    }

    @FunctionName("RegistrationState")
    public HttpResponseMessage registrationState(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET, HttpMethod.DELETE},
                    authLevel = AuthorizationLevel.ANONYMOUS, route = "registrations/{registrationId}")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("registrationId") String registrationId,
            ExecutionContext context) {
        return HttpMapping.response(request, api.registrationState(HttpMapping.request(request), registrationId));
    }

    @FunctionName("RegistrationStateQuery")
    public HttpResponseMessage registrationStateQuery(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "registrations/{enrollmentGroupId}/query")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("enrollmentGroupId") String enrollmentGroupId,
            ExecutionContext context) {
        return HttpMapping.response(request,
                api.registrationStateQuery(HttpMapping.request(request), enrollmentGroupId));
    }
}
