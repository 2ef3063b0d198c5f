package dev.opendps.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.AccessRight;
import dev.opendps.domain.DeviceRegistrationState;
import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.IndividualEnrollment;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.domain.Versioned;
import dev.opendps.domain.port.Page;
import dev.opendps.domain.port.ProvisioningMetrics;
import dev.opendps.service.CaCertificateService;
import dev.opendps.service.EnrollmentService;
import dev.opendps.service.ServiceAuthenticator;
import dev.opendps.service.ServiceAuthenticator.Caller;
import dev.opendps.service.registration.AllocationExplainer;
import dev.opendps.wire.AttestationJson;
import dev.opendps.wire.EnrollmentJson;
import dev.opendps.wire.ETags;
import dev.opendps.wire.Json;
import dev.opendps.wire.RegistrationStateJson;
import dev.opendps.wire.View;
import java.time.Clock;

/**
 * The enrollment service API (dps-protocol.md §4), the registered CA certificates of the same endpoint and the
 * explanation of an allocation (an OpenDPS addition),
 * independent of the HTTP host: each method is one route; it authenticates, maps JSON to the domain and back,
 * and answers DPS-shaped errors.
 */
public final class ServiceApi {
    private final ServiceAuthenticator authenticator;
    private final EnrollmentService service;
    private final ApiCall call;
    private final RecordEndpoint<IndividualEnrollment> enrollments;
    private final RecordEndpoint<EnrollmentGroup> groups;
    private final CaCertificateEndpoints certificates;
    private final ExplainEndpoints explain;

    public ServiceApi(ServiceAuthenticator authenticator, EnrollmentService service,
                      CaCertificateService certificateService, AllocationExplainer explainer, Clock clock) {
        this(authenticator, service, certificateService, explainer, clock, ProvisioningMetrics.NONE);
    }

    /** With the latency of every call recorded in {@code metrics}. */
    public ServiceApi(ServiceAuthenticator authenticator, EnrollmentService service,
                      CaCertificateService certificateService, AllocationExplainer explainer, Clock clock,
                      ProvisioningMetrics metrics) {
        this.authenticator = authenticator;
        this.service = service;
        this.call = new ApiCall("ServiceOperations", clock, metrics);
        this.enrollments = new RecordEndpoint<>(service.enrollments(), EnrollmentJson::readIndividual,
                e -> EnrollmentJson.write(e, View.API), e -> e.settings().attestation(),
                "enrollment", "enrollments", "registrationId");
        this.groups = new RecordEndpoint<>(service.groups(), EnrollmentJson::readGroup,
                g -> EnrollmentJson.write(g, View.API), g -> g.settings().attestation(),
                "enrollmentGroup", "enrollmentGroups", "enrollmentGroupId");
        this.certificates = new CaCertificateEndpoints(certificateService, call, this::authenticate);
        this.explain = new ExplainEndpoints(explainer, call, this::authenticate);
    }

    /** {@code GET|PUT|DELETE /enrollments/{registrationId}}. */
    public ApiResponse individualEnrollment(ApiRequest request, String registrationId) {
        return record(request, enrollments, registrationId);
    }

    /** {@code POST /enrollments/{registrationId}/attestationmechanism}. */
    public ApiResponse individualEnrollmentAttestation(ApiRequest request, String registrationId) {
        return attestation(request, enrollments, registrationId);
    }

    /** {@code POST /enrollments/query}. */
    public ApiResponse individualEnrollmentQuery(ApiRequest request) {
        return query(request, enrollments);
    }

    /** {@code POST /enrollments}: bulk create/update/delete. */
    public ApiResponse individualEnrollmentBulk(ApiRequest request) {
        return bulk(request, enrollments);
    }

    /** {@code GET|PUT|DELETE /enrollmentGroups/{enrollmentGroupId}}. */
    public ApiResponse enrollmentGroup(ApiRequest request, String enrollmentGroupId) {
        return record(request, groups, enrollmentGroupId);
    }

    /** {@code POST /enrollmentGroups/{enrollmentGroupId}/attestationmechanism}. */
    public ApiResponse enrollmentGroupAttestation(ApiRequest request, String enrollmentGroupId) {
        return attestation(request, groups, enrollmentGroupId);
    }

    /** {@code POST /enrollmentGroups/query}. */
    public ApiResponse enrollmentGroupQuery(ApiRequest request) {
        return query(request, groups);
    }

    /** {@code POST /enrollmentGroups}: bulk. */
    public ApiResponse enrollmentGroupBulk(ApiRequest request) {
        return bulk(request, groups);
    }

    /** {@code GET|DELETE /registrations/{registrationId}}. */
    public ApiResponse registrationState(ApiRequest request, String registrationId) {
        return call.run("registrationState." + request.method(), registrationId, request, () -> {
            switch (request.method()) {
                case "GET": {
                    Caller caller = authenticate(request, AccessRight.RegistrationStatusRead);
                    DeviceRegistrationState state = service.registration(caller.instance().idScope(), registrationId);
                    return ApiResponse.json(200, RegistrationStateJson.write(state, View.API));
                }
                case "DELETE": {
                    Caller caller = authenticate(request, AccessRight.RegistrationStatusWrite);
                    service.deleteRegistration(caller.instance().idScope(), registrationId, ifMatch(request));
                    return ApiResponse.empty(204);
                }
                default:
                    throw methodNotAllowed();
            }
        });
    }

    /** {@code POST /registrations/{enrollmentGroupId}/query}: the registrations of one group. */
    public ApiResponse registrationStateQuery(ApiRequest request, String enrollmentGroupId) {
        return call.run("registrationState.query", enrollmentGroupId, request, () -> {
            Caller caller = authenticate(request, AccessRight.RegistrationStatusRead);
            QueryPaging paging = QueryPaging.of(request);
            Page<DeviceRegistrationState> page = service.registrationsOfGroup(caller.instance().idScope(),
                    enrollmentGroupId, paging.maxItems(), paging.continuationToken());
            return paging.respond(page, s -> RegistrationStateJson.write(s, View.API), "deviceRegistration");
        });
    }

    /** {@code GET|PUT|DELETE /certificates/{certificateName}}: one registered CA certificate. */
    public ApiResponse certificate(ApiRequest request, String certificateName) {
        return certificates.certificate(request, certificateName);
    }

    /** {@code GET /certificates}: every registered CA certificate of the instance. */
    public ApiResponse certificates(ApiRequest request) {
        return certificates.certificates(request);
    }

    /** {@code POST /certificates/{certificateName}/generateVerificationCode}. */
    public ApiResponse certificateVerificationCode(ApiRequest request, String certificateName) {
        return certificates.generateVerificationCode(request, certificateName);
    }

    /** {@code POST /certificates/{certificateName}/verify}: proof of possession of the CA's private key. */
    public ApiResponse certificateVerification(ApiRequest request, String certificateName) {
        return certificates.verify(request, certificateName);
    }

    /** {@code POST /explain/{registrationId}}: how the device's registration would be decided, without side effects. */
    public ApiResponse explainAllocation(ApiRequest request, String registrationId) {
        return explain.explain(request, registrationId);
    }

    private <T extends Versioned<T>> ApiResponse record(ApiRequest request, RecordEndpoint<T> endpoint,
                                                                           String id) {
        return call.run(endpoint.itemType() + "." + request.method(), id, request, () -> {
            switch (request.method()) {
                case "GET": {
                    Caller caller = authenticate(request, AccessRight.EnrollmentRead);
                    return ApiResponse.json(200, endpoint.writer().apply(
                            endpoint.records().get(caller.instance().idScope(), id)));
                }
                case "PUT": {
                    Caller caller = authenticate(request, AccessRight.EnrollmentWrite);
                    T incoming = endpoint.reader().apply(Json.parseObject(request.body()));
                    T stored = endpoint.records().put(caller.instance().idScope(), id, incoming, ifMatch(request));
                    return ApiResponse.json(200, endpoint.writer().apply(stored));
                }
                case "DELETE": {
                    Caller caller = authenticate(request, AccessRight.EnrollmentWrite);
                    endpoint.records().delete(caller.instance().idScope(), id, ifMatch(request));
                    return ApiResponse.empty(204);
                }
                default:
                    throw methodNotAllowed();
            }
        });
    }

    private <T extends Versioned<T>> ApiResponse attestation(ApiRequest request,
                                                                                RecordEndpoint<T> endpoint, String id) {
        return call.run(endpoint.itemType() + ".attestation", id, request, () -> {
            Caller caller = authenticate(request, AccessRight.EnrollmentRead);
            T record = endpoint.records().get(caller.instance().idScope(), id);
            return ApiResponse.json(200, AttestationJson.write(
                    endpoint.attestation().apply(record), View.API));
        });
    }

    private <T extends Versioned<T>> ApiResponse query(ApiRequest request, RecordEndpoint<T> endpoint) {
        return call.run(endpoint.itemType() + ".query", request, () -> {
            Caller caller = authenticate(request, AccessRight.EnrollmentRead);
            QueryPaging paging = QueryPaging.of(request);
            Page<T> page = endpoint.records().query(caller.instance().idScope(), paging.maxItems(),
                    paging.continuationToken());
            return paging.respond(page, endpoint.writer(), endpoint.itemType());
        });
    }

    private <T extends Versioned<T>> ApiResponse bulk(ApiRequest request, RecordEndpoint<T> endpoint) {
        return call.run(endpoint.itemType() + ".bulk", request, () -> {
            Caller caller = authenticate(request, AccessRight.EnrollmentWrite);
            ObjectNode result = BulkOperation.run(Json.parseObject(request.body()), endpoint,
                    caller.instance().idScope());
            return ApiResponse.json(200, result);
        });
    }

    private Caller authenticate(ApiRequest request, AccessRight right) {
        Caller caller = authenticator.authenticate(request.header("Host"), request.header("Authorization"), right);
        ApiCall.authenticatedFor(caller.instance().idScope());
        return caller;
    }

    static String ifMatch(ApiRequest request) {
        return ETags.unquote(request.header("If-Match"));
    }

    static ProvisioningException methodNotAllowed() {
        return new ProvisioningException(ErrorCode.METHOD_NOT_ALLOWED);
    }
}
