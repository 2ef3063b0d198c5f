package dev.opendps.domain.x509;

import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * Reads the subject and authority key identifiers (RFC 5280 §4.2.1.1-2), which only break ties between candidate
 * issuers. The JDK exposes them as raw DER, and a few tags are not worth a library: anything unexpected reads as
 * "no identifier".
 */
final class KeyIdentifiers {
    private static final String SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
    private static final String AUTHORITY_KEY_IDENTIFIER = "2.5.29.35";
    private static final int OCTET_STRING = 0x04;
    private static final int SEQUENCE = 0x30;
    /** AuthorityKeyIdentifier.keyIdentifier: [0] IMPLICIT OCTET STRING. */
    private static final int KEY_IDENTIFIER_TAG = 0x80;

    private KeyIdentifiers() {
    }

    /** The subject key identifier, or null when absent or malformed. */
    static byte[] subjectKeyIdentifier(X509Certificate certificate) {
        Der extension = Der.read(certificate.getExtensionValue(SUBJECT_KEY_IDENTIFIER), 0, OCTET_STRING);
        if (extension == null) {
            return null;
        }
        Der keyId = Der.read(extension.data, extension.valueStart, OCTET_STRING);
        return keyId == null ? null : keyId.value();
    }

    /** The keyIdentifier of the authority key identifier, or null when absent or malformed. */
    static byte[] authorityKeyIdentifier(X509Certificate certificate) {
        Der extension = Der.read(certificate.getExtensionValue(AUTHORITY_KEY_IDENTIFIER), 0, OCTET_STRING);
        if (extension == null) {
            return null;
        }
        Der sequence = Der.read(extension.data, extension.valueStart, SEQUENCE);
        if (sequence == null || sequence.valueStart == sequence.valueEnd) {
            return null;
        }
        Der keyId = Der.read(sequence.data, sequence.valueStart, KEY_IDENTIFIER_TAG);
        return keyId == null || keyId.valueEnd > sequence.valueEnd ? null : keyId.value();
    }

    /** One DER element: its value is {@code data[valueStart, valueEnd)}. */
    private record Der(byte[] data, int valueStart, int valueEnd) {
        /** The element at {@code offset} if it has the expected tag and fits in the data; else null. */
        static Der read(byte[] data, int offset, int expectedTag) {
            if (data == null || offset + 2 > data.length || (data[offset] & 0xFF) != expectedTag) {
                return null;
            }
            int position = offset + 1;
            int first = data[position++] & 0xFF;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int lengthBytes = first & 0x7F;
                if (lengthBytes == 0 || lengthBytes > 3 || position + lengthBytes > data.length) {
                    return null;
                }
                length = 0;
                for (int i = 0; i < lengthBytes; i++) {
                    length = (length << 8) | (data[position++] & 0xFF);
                }
            }
            if (position + length > data.length) {
                return null;
            }
            return new Der(data, position, (int) (position + length));
        }

        byte[] value() {
            return Arrays.copyOfRange(data, valueStart, valueEnd);
        }
    }
}
