package dev.opendps.domain.port;

import dev.opendps.domain.CaCertificate;

/**
 * The CA certificates registered in each instance, keyed by certificate name. Device registration finds
 * a group's {@code caReferences} here with {@link #find} and walks the instance's certificates with {@link #list}.
 */
public interface CaCertificateStore extends VersionedStore<CaCertificate> {
}
