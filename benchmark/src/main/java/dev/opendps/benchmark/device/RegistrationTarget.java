package dev.opendps.benchmark.device;

/**
 * Where and how devices register (dps-protocol.md §1).
 *
 * @param hostHeader  the {@code Host} header, {@code host[:port]} of the device endpoint
 * @param maxPolls    operation-status polls allowed before the registration counts as failed
 * @param pollDelayMillis wait before each poll; 0 polls at once on the same connection instead of honouring
 *                    {@code retry-after}, which would measure the SDKs' sleep rather than the service
 */
public record RegistrationTarget(String idScope, String hostHeader, String apiVersion, int maxPolls,
                                 long pollDelayMillis, long tokenLifetimeSeconds) {
}
