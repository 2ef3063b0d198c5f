package dev.opendps.domain.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.domain.Attestation;
import dev.opendps.domain.IndividualEnrollment;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What every {@link EnrollmentStore} promises; a backend's test supplies the store. */
public abstract class EnrollmentStoreContract extends VersionedStoreContract<IndividualEnrollment, EnrollmentStore> {

    @Override
    protected IndividualEnrollment newRecord(String id) {
        return Records.enrollment(id);
    }

    @Override
    protected IndividualEnrollment mutate(IndividualEnrollment e) {
        return new IndividualEnrollment(e.registrationId(), "renamed-device", e.optionalDeviceInformation(),
                Records.withIotHubs(e.settings(), List.of("hub-c.azure-devices.net")), e.version());
    }

    @Override
    protected int counter(IndividualEnrollment record) {
        return Records.twinCounter(record.settings());
    }

    @Override
    protected IndividualEnrollment withCounter(IndividualEnrollment record, int value) {
        return record.withSettings(Records.withTwinCounter(record.settings(), value));
    }

    static Stream<Arguments> attestations() {
        return Stream.of(
                Arguments.of("symmetric key", Records.symmetricKey()),
                Arguments.of("x509 client certificates", Records.x509ClientCertificates()),
                Arguments.of("tpm", Records.tpm()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attestations")
    void everyAttestationTypeIsStoredWhole(String type, Attestation attestation) {
        IndividualEnrollment enrollment = Records.enrollment("device-" + attestation.type(), attestation);

        IndividualEnrollment created = store.create(scope, enrollment);

        assertThat(store.find(scope, enrollment.registrationId())).contains(created);
        assertThat(created.settings().attestation()).isEqualTo(attestation);
    }

    @Test
    void anEnrollmentWithOnlyItsRequiredFieldsComesBackWithoutInventedValues() {
        IndividualEnrollment minimal = Records.minimalEnrollment("device-minimal");

        IndividualEnrollment created = store.create(scope, minimal);

        assertThat(store.find(scope, "device-minimal")).contains(created);
        assertThat(created).isEqualTo(minimal.withVersion(minimal.version().withEtag(created.etag())));
    }
}
