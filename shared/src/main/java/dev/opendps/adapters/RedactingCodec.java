package dev.opendps.adapters;

import dev.opendps.domain.port.SecretProtectionException;
import dev.opendps.domain.port.StoreException;
import dev.opendps.domain.port.StoreUnavailableException;
import java.util.Objects;

/**
 * A codec whose failures name the record but not its document. Documents hold keys, and JSON parsers quote
 * the text around an error, so the parser's exception is deliberately not kept as the cause.
 */
public final class RedactingCodec<T> {
    private final DocumentCodec<T> codec;
    private final String description;

    public RedactingCodec(DocumentCodec<T> codec, String description) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.description = description;
    }

    public String encode(T record, String id) {
        try {
            return codec.encode(record);
        } catch (StoreUnavailableException e) {
            throw e; // the key-encryption key could not be reached: the call may succeed later (503)
        } catch (RuntimeException e) {
            throw new StoreException("Could not encode the " + description + " '" + id + "' for storage ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    public T decode(String document, String id) {
        try {
            return codec.decode(document);
        } catch (SecretProtectionException e) {
            // Its message names a field and a key version, never key material.
            throw new SecretProtectionException("The stored " + description + " '" + id + "' could not be"
                    + " decrypted: " + e.getMessage());
        } catch (StoreUnavailableException e) {
            throw e; // the key-encryption key could not be reached: the call may succeed later (503)
        } catch (RuntimeException e) {
            throw new StoreException("The stored " + description + " '" + id + "' could not be decoded ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
