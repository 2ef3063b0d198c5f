package dev.opendps.adapters.cosmos;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import dev.opendps.adapters.identity.ManagedIdentityException;
import dev.opendps.adapters.identity.ManagedIdentityTokenCredential;
import dev.opendps.domain.port.StoreException;
import dev.opendps.domain.port.StoreUnavailableException;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * The app's managed identity ({@link ManagedIdentityTokenCredential}) as the Cosmos DB client's
 * {@link TokenCredential}, with its failures given in the stores' terms: the SDK lets a credential's failure
 * through as it is, so what this throws is what the stores throw. An identity endpoint that is unreachable or
 * failing makes the store unavailable ({@link StoreUnavailableException}: the API answers 503); one that refuses
 * the identity is a {@link StoreException} (a deployment to fix).
 */
final class ManagedIdentitySignIn implements TokenCredential {
    private final ManagedIdentityTokenCredential identity;

    ManagedIdentitySignIn(ManagedIdentityTokenCredential identity) {
        this.identity = Objects.requireNonNull(identity, "identity");
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        return identity.getToken(request).onErrorMap(ManagedIdentityException.class, ManagedIdentitySignIn::storeFailure);
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        try {
            return identity.getTokenSync(request);
        } catch (ManagedIdentityException e) {
            throw storeFailure(e);
        }
    }

    private static StoreException storeFailure(ManagedIdentityException e) {
        String message = "Cosmos DB could not be signed in to: " + e.getMessage();
        return e.refused() ? new StoreException(message, e) : new StoreUnavailableException(message, false, null);
    }
}
