package dev.opendps.api;

import dev.opendps.domain.AccessRight;
import dev.opendps.service.ServiceAuthenticator.Caller;
import dev.opendps.service.registration.AllocationExplainer;
import dev.opendps.wire.AllocationExplanationJson;
import java.util.function.BiFunction;

/**
 * {@code POST /explain/{registrationId}} for {@link ServiceApi}: how a registration of the device would be
 * decided, without registering it ({@link AllocationExplainer}). Same host, SAS authentication and error bodies
 * as enrollments. The answer shows enrollment settings and the device's registration state, so the policy must
 * grant both {@code EnrollmentRead} and {@code RegistrationStatusRead}; it needs no write right because nothing
 * is written.
 */
final class ExplainEndpoints {
    private final AllocationExplainer explainer;
    private final ApiCall call;
    private final BiFunction<ApiRequest, AccessRight, Caller> authenticate;

    ExplainEndpoints(AllocationExplainer explainer, ApiCall call,
                     BiFunction<ApiRequest, AccessRight, Caller> authenticate) {
        this.explainer = explainer;
        this.call = call;
        this.authenticate = authenticate;
    }

    ApiResponse explain(ApiRequest request, String registrationId) {
        return call.run("explain", registrationId, request, () -> {
            if (!request.method().equals("POST")) {
                throw ServiceApi.methodNotAllowed();
            }
            Caller caller = authenticate.apply(request, AccessRight.EnrollmentRead);
            authenticate.apply(request, AccessRight.RegistrationStatusRead);
            AllocationExplainer.ExplainRequest explain = AllocationExplanationJson.readRequest(registrationId,
                    request.body());
            return ApiResponse.json(200, AllocationExplanationJson.write(explainer.explain(caller.instance(), explain)));
        });
    }
}
