package dev.opendps.domain.allocation;

import dev.opendps.domain.EnrollmentGroup;
import dev.opendps.domain.EnrollmentSettings;
import dev.opendps.domain.IndividualEnrollment;
import java.util.Objects;

/**
 * A device being allocated: the enrollment it registers through (its individual enrollment or its group,
 * exactly one) and its runtime context. Every policy needs the enrollment's settings; {@code custom} sends
 * the rest to its webhook (dps-protocol.md §5).
 */
public record RegisteringDevice(IndividualEnrollment individualEnrollment, EnrollmentGroup enrollmentGroup,
                                DeviceRuntimeContext runtimeContext) {

    public RegisteringDevice {
        if ((individualEnrollment == null) == (enrollmentGroup == null)) {
            throw new IllegalArgumentException("A registering device has an individual enrollment or a group, not "
                    + (individualEnrollment == null ? "neither" : "both"));
        }
        Objects.requireNonNull(runtimeContext, "runtimeContext");
    }

    public EnrollmentSettings settings() {
        return individualEnrollment != null ? individualEnrollment.settings() : enrollmentGroup.settings();
    }

    public String registrationId() {
        return runtimeContext.registrationId();
    }
}
