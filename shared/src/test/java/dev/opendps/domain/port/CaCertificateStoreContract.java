package dev.opendps.domain.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.domain.CaCertificate;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** What every {@link CaCertificateStore} promises; a backend's test supplies the store. */
public abstract class CaCertificateStoreContract extends VersionedStoreContract<CaCertificate, CaCertificateStore> {

    @Override
    protected CaCertificate newRecord(String id) {
        return Records.caCertificate(id);
    }

    @Override
    protected CaCertificate mutate(CaCertificate certificate) {
        return new CaCertificate(certificate.name(), certificate.certificatePem(), certificate.info(),
                !certificate.verified(), certificate.verificationCode(), certificate.version());
    }

    @Override
    protected int counter(CaCertificate certificate) {
        return new BigInteger(certificate.verificationCode(), 16).intValueExact();
    }

    @Override
    protected CaCertificate withCounter(CaCertificate certificate, int value) {
        return certificate.withVerificationCode(Records.verificationCode(value));
    }

    @Test
    void aVerifiedCertificateWithNoPendingCodeIsStoredWhole() {
        CaCertificate verified = Records.caCertificate("root-ca").asVerified();

        CaCertificate created = store.create(scope, verified);

        assertThat(store.find(scope, "root-ca")).contains(created);
        assertThat(created.verified()).isTrue();
        assertThat(created.verificationCode()).isNull();
    }

    @Test
    void verifyingAPendingCertificateClearsItsCodeInTheStore() {
        CaCertificate pending = store.create(scope, Records.caCertificate("intermediate-ca"));

        CaCertificate verified = store.replace(scope, pending.asVerified(), pending.etag());

        assertThat(pending.verificationCode()).isNotNull();
        assertThat(store.find(scope, "INTERMEDIATE-CA")).contains(verified);
        assertThat(verified.verified()).isTrue();
        assertThat(verified.verificationCode()).isNull();
        assertThat(verified.info()).isEqualTo(pending.info());
    }
}
