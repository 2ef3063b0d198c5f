package dev.opendps.domain.port;

import dev.opendps.domain.DeviceRegistrationState;

/** The latest registration state of each device, keyed by registration id. */
public interface RegistrationStateStore extends VersionedStore<DeviceRegistrationState> {

    /** The registrations made through one enrollment group, paged as {@link #list}. */
    Page<DeviceRegistrationState> listByEnrollmentGroup(String idScope, String enrollmentGroupId, int maxItems,
                                                        String continuationToken);
}
