package dev.opendps.domain.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.domain.Attestation;
import dev.opendps.domain.EnrollmentGroup;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What every {@link EnrollmentGroupStore} promises; a backend's test supplies the store. */
public abstract class EnrollmentGroupStoreContract extends VersionedStoreContract<EnrollmentGroup, EnrollmentGroupStore> {

    @Override
    protected EnrollmentGroup newRecord(String id) {
        return Records.enrollmentGroup(id);
    }

    @Override
    protected EnrollmentGroup mutate(EnrollmentGroup group) {
        return group.withSettings(Records.withIotHubs(group.settings(), List.of("hub-c.azure-devices.net")));
    }

    @Override
    protected int counter(EnrollmentGroup record) {
        return Records.twinCounter(record.settings());
    }

    @Override
    protected EnrollmentGroup withCounter(EnrollmentGroup record, int value) {
        return record.withSettings(Records.withTwinCounter(record.settings(), value));
    }

    static Stream<Arguments> attestations() {
        return Stream.of(
                Arguments.of("symmetric key", Records.symmetricKey()),
                Arguments.of("x509 signing certificates", Records.x509SigningCertificates()),
                Arguments.of("x509 CA references", Records.x509CaReferences()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attestations")
    void everyAttestationTypeIsStoredWhole(String type, Attestation attestation) {
        EnrollmentGroup group = Records.enrollmentGroup("group-" + type.replace(' ', '-'), attestation);

        EnrollmentGroup created = store.create(scope, group);

        assertThat(store.find(scope, group.enrollmentGroupId())).contains(created);
        assertThat(created.settings().attestation()).isEqualTo(attestation);
    }
}
