package dev.opendps.adapters;

/**
 * What a store does to the secrets in its documents before they reach storage. Store adapters apply it to
 * every codec they are given, so no adapter handles secrets itself.
 */
public interface DocumentProtection {
    /** Secrets are stored as the codec writes them (tests of a store's own behaviour). */
    DocumentProtection NONE = new DocumentProtection() {
        @Override
        public <T> DocumentCodec<T> protect(DocumentCodec<T> codec) {
            return codec;
        }
    };

    /** A codec that writes and reads the same records with the secrets at {@link DocumentCodec#secretPaths()} protected. */
    <T> DocumentCodec<T> protect(DocumentCodec<T> codec);
}
