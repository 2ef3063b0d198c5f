package dev.opendps.adapters.iothub;

import dev.opendps.domain.LinkedHub;

/**
 * Where the {@code Authorization} header of a call to a hub's registry comes from: a SAS signed with the
 * linked hub's connection string ({@link ConnectionStringCredentials}), a Microsoft Entra token of the app's
 * managed identity ({@link ManagedIdentityCredentials}, {@code Bearer …}), or either as each hub is
 * configured ({@link LinkedHubCredentials}). Implementations are thread-safe and never log what they return.
 */
public interface HubCredentials {

    /**
     * The header value for a call to {@code hub} made now.
     *
     * @throws IllegalArgumentException if there are no usable credentials for this hub (the message never
     *                                  holds a secret)
     * @throws dev.opendps.domain.port.HubRegistryException if a token source was asked and failed (the
     *                                  message says what it answered, never a secret)
     */
    String authorization(LinkedHub hub);
}
