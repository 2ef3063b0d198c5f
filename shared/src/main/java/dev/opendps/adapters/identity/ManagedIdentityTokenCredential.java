package dev.opendps.adapters.identity;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import dev.opendps.config.AppSettings;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The app's managed identity ({@link ManagedIdentityTokens}, which fetches, reuses and renews the tokens) as an
 * Azure SDK {@link TokenCredential}, for the SDK clients that sign in with one (Key Vault, Cosmos DB). It stands
 * in for the SDK's {@code ManagedIdentityCredential}, which would probe the VM metadata address where the
 * platform's identity endpoint is missing. The SDK asks for one scope, e.g. {@code https://vault.azure.net/.default};
 * the identity endpoint takes the resource, which is the scope without {@code /.default}.
 *
 * <p>Failures are {@link ManagedIdentityException}s, as {@link ManagedIdentityTokens} throws them: each SDK client's
 * adapter gives them in its own terms (refused: a configuration to fix; otherwise: unavailable for now).
 */
public final class ManagedIdentityTokenCredential implements TokenCredential {
    private static final String DEFAULT_SCOPE_SUFFIX = "/.default";

    private final ManagedIdentityTokens tokens;

    public ManagedIdentityTokenCredential(ManagedIdentityTokens tokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    /** The app's managed identity if the platform gave it one ({@link ManagedIdentityTokens#fromSettings}). */
    public static Optional<ManagedIdentityTokenCredential> fromSettings(AppSettings settings, Duration timeout) {
        return ManagedIdentityTokens.fromSettings(settings, timeout).map(ManagedIdentityTokenCredential::new);
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        // A fetch is a blocking HTTP call: off the SDK's event loop, onto a thread meant for blocking.
        return Mono.fromCallable(() -> getTokenSync(request)).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        ManagedIdentityTokens.Token token = tokens.token(resource(request.getScopes()));
        // The SDK's own token cache asks again at refreshAt: when the token source would renew it.
        return new AccessToken(token.value(), token.expiresOn().atOffset(ZoneOffset.UTC),
                token.renewAt().atOffset(ZoneOffset.UTC));
    }

    /** The resource of the one scope the SDK asks for: {@code https://vault.azure.net/.default} is {@code https://vault.azure.net}. */
    static String resource(List<String> scopes) {
        if (scopes == null || scopes.size() != 1 || scopes.get(0) == null || scopes.get(0).isBlank()) {
            throw new IllegalArgumentException("A managed identity token is for exactly one resource, was asked for "
                    + scopes);
        }
        String scope = scopes.get(0).strip();
        return scope.endsWith(DEFAULT_SCOPE_SUFFIX)
                ? scope.substring(0, scope.length() - DEFAULT_SCOPE_SUFFIX.length()) : scope;
    }
}
