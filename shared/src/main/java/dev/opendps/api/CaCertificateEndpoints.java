package dev.opendps.api;

import dev.opendps.domain.AccessRight;
import dev.opendps.domain.CaCertificate;
import dev.opendps.service.CaCertificateService;
import dev.opendps.service.ServiceAuthenticator.Caller;
import dev.opendps.wire.CaCertificateJson;
import dev.opendps.wire.CaCertificateJson.Upload;
import dev.opendps.wire.Json;
import java.util.function.BiFunction;

/**
 * The registered CA certificate routes of the service endpoint, for {@link ServiceApi}: the same host, SAS
 * authentication, etag rules and error bodies as enrollments, the {@code ServiceConfig} right, and the ARM
 * certificate resource's JSON shapes ({@link CaCertificateJson}).
 */
final class CaCertificateEndpoints {
    private final CaCertificateService service;
    private final ApiCall call;
    private final BiFunction<ApiRequest, AccessRight, Caller> authenticate;

    CaCertificateEndpoints(CaCertificateService service, ApiCall call,
                           BiFunction<ApiRequest, AccessRight, Caller> authenticate) {
        this.service = service;
        this.call = call;
        this.authenticate = authenticate;
    }

    ApiResponse certificate(ApiRequest request, String name) {
        return call.run("certificate." + request.method(), name, request, () -> {
            switch (request.method()) {
                case "GET":
                    return ok(service.get(idScope(request), name));
                case "PUT": {
                    String idScope = idScope(request);
                    Upload upload = CaCertificateJson.readUpload(Json.parseObject(request.body()));
                    return ok(service.put(idScope, name, upload.certificate(), upload.isVerified(),
                            ServiceApi.ifMatch(request)));
                }
                case "DELETE":
                    service.delete(idScope(request), name, ServiceApi.ifMatch(request));
                    return ApiResponse.empty(204);
                default:
                    throw ServiceApi.methodNotAllowed();
            }
        });
    }

    ApiResponse certificates(ApiRequest request) {
        return call.run("certificate.list", request, () -> {
            if (!request.method().equals("GET")) {
                throw ServiceApi.methodNotAllowed();
            }
            return ApiResponse.json(200, CaCertificateJson.writeList(service.list(idScope(request))));
        });
    }

    ApiResponse generateVerificationCode(ApiRequest request, String name) {
        return call.run("certificate.generateVerificationCode", name, request, () -> {
            CaCertificate withCode = service.generateVerificationCode(idScope(request), name,
                    ServiceApi.ifMatch(request));
            return ApiResponse.json(200, CaCertificateJson.writeWithVerificationCode(withCode));
        });
    }

    ApiResponse verify(ApiRequest request, String name) {
        return call.run("certificate.verify", name, request, () -> {
            String idScope = idScope(request);
            String proof = CaCertificateJson.readVerificationCertificate(Json.parseObject(request.body()));
            return ok(service.verify(idScope, name, proof, ServiceApi.ifMatch(request)));
        });
    }

    private String idScope(ApiRequest request) {
        return authenticate.apply(request, AccessRight.ServiceConfig).instance().idScope();
    }

    private static ApiResponse ok(CaCertificate certificate) {
        return ApiResponse.json(200, CaCertificateJson.write(certificate));
    }
}
