package dev.opendps.domain.x509;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;

/**
 * A device's certificate path failed validation (dps-protocol.md §2.2): the registration is
 * {@link ErrorCode#UNAUTHORIZED}. The message names the certificate and the rule it broke, so the device owner can
 * fix it; it holds only public certificate data.
 */
public final class CertificatePathException extends ProvisioningException {
    /** Which rule failed. */
    public enum Reason {
        /** The certificate that was matched is not in the chain built from the leaf. */
        ANCHOR_NOT_IN_CHAIN,
        /** Before the certificate's notBefore. */
        NOT_YET_VALID,
        /** After the certificate's notAfter. */
        EXPIRED,
        /** The certificate's issuer name is not the subject of the next certificate in the path. */
        ISSUER_MISMATCH,
        /** A signature does not verify with the issuer's key (or, for a self-signed anchor, its own key). */
        BAD_SIGNATURE,
        /** An issuing certificate lacks basicConstraints CA=true. */
        NOT_A_CA,
        /** An issuing certificate has more CA certificates below it than its pathLenConstraint allows. */
        PATH_LENGTH_EXCEEDED,
        /** Key usage without keyCertSign on an issuer, or without digitalSignature on the leaf. */
        KEY_USAGE_NOT_ALLOWED,
        /** The leaf's extended key usage allows neither clientAuth nor any purpose. */
        EXTENDED_KEY_USAGE_NOT_ALLOWED,
        /** A critical extension this service does not process, or an extension it cannot read. */
        UNSUPPORTED_EXTENSION
    }

    private final Reason reason;
    private final String subjectName;

    CertificatePathException(Reason reason, String subjectName, String message) {
        super(ErrorCode.UNAUTHORIZED, message);
        this.reason = reason;
        this.subjectName = subjectName;
    }

    public Reason reason() {
        return reason;
    }

    /** The subject ("CN=…, O=…") of the certificate that broke the rule. */
    public String subjectName() {
        return subjectName;
    }
}
