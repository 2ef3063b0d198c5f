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
 * Registered CA certificates and their proof of possession (dps-protocol.md §2.2) on the service endpoint,
 * one function per route. Anonymous at the Functions level: the API authenticates with DPS SAS tokens and
 * requires the ServiceConfig right (§4.1).
 */
public class CertificateFunctions {
    private final ServiceApi api;

    public CertificateFunctions(ProvisioningApplication application) {
        this.api = application.serviceApi();
    }

    @FunctionName("Certificate")
    public HttpResponseMessage certificate(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE},
                    authLevel = AuthorizationLevel.ANONYMOUS, route = "certificates/{certificateName}")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("certificateName") String certificateName,
            ExecutionContext context) {
        return HttpMapping.response(request, api.certificate(HttpMapping.request(request), certificateName));
    }

    @FunctionName("CertificateList")
    public HttpResponseMessage certificates(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "certificates")
            HttpRequestMessage<Optional<String>> request,
            ExecutionContext context) {
        return HttpMapping.response(request, api.certificates(HttpMapping.request(request)));
    }

    @FunctionName("CertificateGenerateVerificationCode")
    public HttpResponseMessage generateVerificationCode(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "certificates/{certificateName}/generateVerificationCode")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("certificateName") String certificateName,
            ExecutionContext context) {
        return HttpMapping.response(request,
                api.certificateVerificationCode(HttpMapping.request(request), certificateName));
    }

    @FunctionName("CertificateVerify")
    public HttpResponseMessage verify(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS,
                    route = "certificates/{certificateName}/verify")
            HttpRequestMessage<Optional<String>> request,
            @BindingName("certificateName") String certificateName,
            ExecutionContext context) {
        return HttpMapping.response(request,
                api.certificateVerification(HttpMapping.request(request), certificateName));
    }
}
