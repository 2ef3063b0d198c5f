package dev.opendps.domain;

/** The rights a shared access policy grants on the service API (dps-protocol.md §4.1). */
public enum AccessRight {
    ServiceConfig,
    EnrollmentRead,
    EnrollmentWrite,
    RegistrationStatusRead,
    RegistrationStatusWrite
}
