package dev.opendps.adapters.cosmos;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import dev.opendps.adapters.identity.ManagedIdentityException;
import dev.opendps.adapters.identity.ManagedIdentityTokens;
import dev.opendps.domain.port.StoreException;
import dev.opendps.domain.port.StoreUnavailableException;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The app's managed identity ({@link ManagedIdentityTokens}) as the Cosmos DB client's {@link TokenCredential},
 * instead of the Azure SDK's {@code ManagedIdentityCredential}, which would probe the VM metadata address where
 * the platform's identity endpoint is missing. The SDK asks for one scope, {@code <endpoint origin>/.default}
 * (e.g. {@code https://<account>.documents.azure.com/.default}); the identity endpoint takes the resource, which
 * is the scope without {@code /.default}.
 *
 * <p>The SDK lets a credential's failure through as it is, so failures are given in the stores' terms here: an
 * identity endpoint that is unreachable or failing makes the store unavailable ({@link StoreUnavailableException}:
 * the API answers 503), one that refuses the identity is a {@link StoreException} (a deployment to fix).
 */
final class ManagedIdentitySignIn implements TokenCredential {
    private static final String DEFAULT_SUFFIX = "/.default";

    private final ManagedIdentityTokens tokens;

    ManagedIdentitySignIn(ManagedIdentityTokens tokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        // The fetch is a blocking HTTP call: off the SDK's event loop, onto a thread meant for blocking.
        return Mono.fromCallable(() -> {
            try {
                ManagedIdentityTokens.Token token = tokens.token(resource(request.getScopes()));
                return new AccessToken(token.value(), token.expiresOn().atOffset(ZoneOffset.UTC));
            } catch (ManagedIdentityException e) {
                String message = "Cosmos DB could not be signed in to: " + e.getMessage();
                throw e.refused() ? new StoreException(message, e) : new StoreUnavailableException(message, false, null);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** The resource of the one scope the SDK asks for: {@code https://x.documents.azure.com/.default} gives {@code https://x.documents.azure.com}. */
    static String resource(List<String> scopes) {
        if (scopes == null || scopes.size() != 1) {
            throw new IllegalArgumentException("A managed identity token is for one scope, was asked for " + scopes);
        }
        String scope = scopes.get(0);
        return scope.endsWith(DEFAULT_SUFFIX) ? scope.substring(0, scope.length() - DEFAULT_SUFFIX.length()) : scope;
    }
}
