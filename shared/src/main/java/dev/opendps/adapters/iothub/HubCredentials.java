package dev.opendps.adapters.iothub;

import dev.opendps.domain.LinkedHub;

/**
 * Where the {@code Authorization} header of a call to a hub's registry comes from. Today a SAS signed with
 * the linked hub's connection string ({@link ConnectionStringCredentials}); a Microsoft Entra token source
 * (managed identity, {@code Bearer …}) can take its place without touching {@link IotHubRegistry}.
 * Implementations are thread-safe and never log what they return.
 */
public interface HubCredentials {

    /**
     * The header value for a call to {@code hub} made now.
     *
     * @throws IllegalArgumentException if there are no usable credentials for this hub (the message never
     *                                  holds a secret)
     */
    String authorization(LinkedHub hub);
}
