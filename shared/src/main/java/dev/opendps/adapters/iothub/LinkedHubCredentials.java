package dev.opendps.adapters.iothub;

import dev.opendps.domain.LinkedHub;
import java.util.Objects;

/**
 * Each linked hub as it is configured ({@link IotHubConnectionString#authentication}): a hub with a key in its
 * connection string gets a SAS, a hub without one ({@code HostName=…} alone, or
 * {@code AuthenticationType=ManagedIdentity}) a token of the app's managed identity, if the app has one.
 */
public final class LinkedHubCredentials implements HubCredentials {
    private final HubCredentials sharedAccessKey;
    private final HubCredentials managedIdentity;

    /**
     * @param sharedAccessKey for hubs with a key, normally {@link ConnectionStringCredentials}
     * @param managedIdentity for hubs without one, normally {@link ManagedIdentityCredentials}; null if the app
     *                        has no managed identity
     */
    public LinkedHubCredentials(HubCredentials sharedAccessKey, HubCredentials managedIdentity) {
        this.sharedAccessKey = Objects.requireNonNull(sharedAccessKey, "sharedAccessKey");
        this.managedIdentity = managedIdentity;
    }

    @Override
    public String authorization(LinkedHub hub) {
        Objects.requireNonNull(hub, "hub");
        return switch (IotHubConnectionString.authentication(hub.connectionString())) {
            case SHARED_ACCESS_KEY -> sharedAccessKey.authorization(hub);
            case MANAGED_IDENTITY -> {
                if (managedIdentity == null) {
                    throw new IllegalArgumentException("IoT hub " + hub.hostName() + " is linked without a"
                            + " SharedAccessKey, so DPS would use its managed identity, but it has none here ("
                            + ManagedIdentityCredentials.IDENTITY_ENDPOINT + " and "
                            + ManagedIdentityCredentials.IDENTITY_HEADER + " are not set). Give the function app"
                            + " a managed identity, or link the hub with its connection string.");
                }
                yield managedIdentity.authorization(hub);
            }
        };
    }
}
