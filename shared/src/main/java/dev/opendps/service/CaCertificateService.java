package dev.opendps.service;

import dev.opendps.domain.CaCertificate;
import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.Identifiers;
import dev.opendps.domain.port.CaCertificateStore;
import dev.opendps.domain.port.Page;
import dev.opendps.domain.x509.ParsedCertificate;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The CA certificates an administrator registers in an instance, and their proof of possession
 * (dps-protocol.md §2.2): upload (optionally verified at once), a verification code, and a certificate with
 * that code as subject CN signed by the CA's key, which verifies it. Writes follow the service API's etag
 * rules (§4.3). Device registration reads the certificates through {@link CaCertificateStore}.
 */
public final class CaCertificateService {
    /** 24 random bytes: 48 upper-case hex digits, as Azure's codes look. */
    private static final int VERIFICATION_CODE_BYTES = 24;
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final RecordLifecycle<CaCertificate> lifecycle;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public CaCertificateService(CaCertificateStore store, Clock clock) {
        this.lifecycle = new RecordLifecycle<>(store, clock, ErrorCode.CERTIFICATE_NOT_FOUND, "certificate");
        this.clock = clock;
    }

    /**
     * Uploads a CA certificate (PEM or base64 DER) or, with {@code ifMatch}, replaces one. {@code markVerified}
     * true verifies it at once; a different certificate than the stored one resets verification otherwise.
     */
    public CaCertificate put(String idScope, String name, String certificate, Boolean markVerified, String ifMatch) {
        Identifiers.certificateName(name);
        ParsedCertificate parsed = CaCertificateRules.caCertificate(certificate);
        return lifecycle.put(idScope, name, ifMatch,
                existing -> CaCertificateRules.upload(name, parsed, markVerified, existing));
    }

    public CaCertificate get(String idScope, String name) {
        Identifiers.certificateName(name);
        return lifecycle.get(idScope, name);
    }

    /** Every certificate of the instance, in name order. */
    public List<CaCertificate> list(String idScope) {
        List<CaCertificate> all = new ArrayList<>();
        String token = null;
        do {
            Page<CaCertificate> page = lifecycle.list(idScope, 0, token);
            all.addAll(page.items());
            token = page.continuationToken();
        } while (token != null);
        return all;
    }

    public void delete(String idScope, String name, String ifMatch) {
        Identifiers.certificateName(name);
        lifecycle.delete(idScope, name, ifMatch);
    }

    /** Stores and returns a fresh random verification code for the certificate; it replaces any earlier one. */
    public CaCertificate generateVerificationCode(String idScope, String name, String ifMatch) {
        Identifiers.certificateName(name);
        return lifecycle.update(idScope, name, ifMatch, existing -> existing.withVerificationCode(newCode()));
    }

    /**
     * Verifies the certificate if {@code proof} (PEM or base64 DER) has the pending verification code as
     * subject CN, is signed with the CA certificate's key and is valid now; the code is then used up.
     * Otherwise 400 and nothing changes.
     */
    public CaCertificate verify(String idScope, String name, String proof, String ifMatch) {
        Identifiers.certificateName(name);
        return lifecycle.update(idScope, name, ifMatch, existing -> {
            CaCertificateRules.checkProofOfPossession(existing, proof, clock.instant());
            return existing.asVerified();
        });
    }

    private String newCode() {
        byte[] bytes = new byte[VERIFICATION_CODE_BYTES];
        random.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }
}
