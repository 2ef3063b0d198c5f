package dev.opendps.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifiersTest {
    private static ProvisioningException rejection(Runnable validation) {
        try {
            validation.run();
        } catch (ProvisioningException e) {
            return e;
        }
        throw new AssertionError("expected a ProvisioningException");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "device-001", "Dev.1_a:b", "trailing-hyphen-", "-leading", "0ne00000A0A", "a:b:c"})
    void validRegistrationIdsPass(String id) {
        assertThat(Identifiers.registrationId(id)).isEqualTo(id);
    }

    @Test
    void registrationIdOf128CharactersPasses() {
        assertThatCode(() -> Identifiers.registrationId("a".repeat(128))).doesNotThrowAnyException();
    }

    @Test
    void registrationIdOf129CharactersIsRejected() {
        ProvisioningException e = rejection(() -> Identifiers.registrationId("a".repeat(129)));

        assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_REGISTRATION_ID);
        assertThat(e.getMessage()).contains("128").doesNotContain("a".repeat(129));
    }

    @Test
    void emptyOrNullRegistrationIdIsRejected() {
        assertThat(rejection(() -> Identifiers.registrationId("")).errorCode())
                .isEqualTo(ErrorCode.INVALID_REGISTRATION_ID);
        assertThat(rejection(() -> Identifiers.registrationId(null)).errorCode())
                .isEqualTo(ErrorCode.INVALID_REGISTRATION_ID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"device.", "device_", "device:"})
    void registrationIdEndingWithDotUnderscoreOrColonIsRejected(String id) {
        ProvisioningException e = rejection(() -> Identifiers.registrationId(id));

        assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_REGISTRATION_ID);
        assertThat(e.getMessage()).contains("end");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev/1", "dev\\1", "dev 1", "dev@1", "dév", "dev%1", "dev#1"})
    void registrationIdWithForbiddenCharacterIsRejected(String id) {
        ProvisioningException e = rejection(() -> Identifiers.registrationId(id));

        assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_REGISTRATION_ID);
        assertThat(e.getMessage()).contains("not allowed");
    }

    @Test
    void rejectionMessageEchoesShortPrintableId() {
        assertThat(rejection(() -> Identifiers.registrationId("dev/1")).getMessage()).contains("'dev/1'");
    }

    @Test
    void rejectionMessageDoesNotEchoControlCharacters() {
        ProvisioningException e = rejection(() -> Identifiers.registrationId("dev\n1\u001b[31m"));

        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\u001b").contains("U+000A");
    }

    @Test
    void enrollmentGroupIdFollowsRegistrationIdRuleWithItsOwnCode() {
        assertThat(Identifiers.enrollmentGroupId("group-1")).isEqualTo("group-1");
        assertThat(rejection(() -> Identifiers.enrollmentGroupId("group.")).errorCode())
                .isEqualTo(ErrorCode.INVALID_ENROLLMENT_GROUP_ID);
        assertThat(rejection(() -> Identifiers.enrollmentGroupId("g".repeat(129))).errorCode())
                .isEqualTo(ErrorCode.INVALID_ENROLLMENT_GROUP_ID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"device-1", "a.b%c_d*e?f!g(h)i,j:k=l@m$n'o", "ends.", "ends_", "ends:", "UPPER"})
    void validDeviceIdsPass(String id) {
        assertThat(Identifiers.deviceId(id)).isEqualTo(id);
    }

    @Test
    void deviceIdLengthLimitIs128() {
        assertThatCode(() -> Identifiers.deviceId("d".repeat(128))).doesNotThrowAnyException();
        assertThat(rejection(() -> Identifiers.deviceId("d".repeat(129))).errorCode())
                .isEqualTo(ErrorCode.INVALID_DEVICE_ID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev/1", "dev 1", "dev#1", "dev&1", "dev+1", "dév", "dev\"1", ""})
    void deviceIdWithForbiddenCharacterOrEmptyIsRejected(String id) {
        assertThatThrownBy(() -> Identifiers.deviceId(id))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_DEVICE_ID));
    }
}
