package dev.opendps.domain.tpm;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EllipticCurve;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * A TPM public area (TPM 2.0 Library Part 2, TPMT_PUBLIC), as sent in {@code tpm.endorsementKey} and
 * {@code tpm.storageRootKey} (dps-protocol.md §2.4). Supports RSA, ECC and KEYEDHASH objects. Immutable;
 * equality is that of the marshalled public area. Failures are {@link ErrorCode#INVALID_ENDORSEMENT_KEY}.
 */
public final class TpmPublic {
    public static final int ALG_RSA = 0x0001;
    public static final int ALG_SHA1 = 0x0004;
    public static final int ALG_HMAC = 0x0005;
    public static final int ALG_AES = 0x0006;
    public static final int ALG_MGF1 = 0x0007;
    public static final int ALG_KEYEDHASH = 0x0008;
    public static final int ALG_XOR = 0x000A;
    public static final int ALG_SHA256 = 0x000B;
    public static final int ALG_SHA384 = 0x000C;
    public static final int ALG_SHA512 = 0x000D;
    public static final int ALG_NULL = 0x0010;
    public static final int ALG_RSASSA = 0x0014;
    public static final int ALG_RSAES = 0x0015;
    public static final int ALG_RSAPSS = 0x0016;
    public static final int ALG_OAEP = 0x0017;
    public static final int ALG_ECDSA = 0x0018;
    public static final int ALG_ECDH = 0x0019;
    public static final int ALG_ECDAA = 0x001A;
    public static final int ALG_SM2 = 0x001B;
    public static final int ALG_ECSCHNORR = 0x001C;
    public static final int ALG_ECMQV = 0x001D;
    public static final int ALG_KDF1_SP800_56A = 0x0020;
    public static final int ALG_KDF2 = 0x0021;
    public static final int ALG_KDF1_SP800_108 = 0x0022;
    public static final int ALG_ECC = 0x0023;
    public static final int ALG_CFB = 0x0043;
    public static final int ECC_NIST_P256 = 0x0003;
    public static final int ECC_NIST_P384 = 0x0004;
    public static final int ECC_NIST_P521 = 0x0005;
    /** RSA exponent value meaning the default, 65537. */
    public static final BigInteger DEFAULT_RSA_EXPONENT = BigInteger.valueOf(65537);

    private final byte[] marshalled;
    private final int type;
    private final int nameAlg;
    private final int objectAttributes;
    private final byte[] authPolicy;
    private final int symmetricAlgorithm;
    private final int symmetricKeyBits;
    private final int symmetricMode;
    private final int scheme;
    private final int schemeHashAlg;
    private final int rsaKeyBits;
    private final long rsaExponent;
    private final int eccCurve;
    private final int kdfScheme;
    private final byte[] unique;
    private final byte[] eccY;

    private TpmPublic(byte[] marshalled, Reader r) {
        this.marshalled = marshalled;
        this.type = r.type;
        this.nameAlg = r.nameAlg;
        this.objectAttributes = r.objectAttributes;
        this.authPolicy = r.authPolicy;
        this.symmetricAlgorithm = r.symmetricAlgorithm;
        this.symmetricKeyBits = r.symmetricKeyBits;
        this.symmetricMode = r.symmetricMode;
        this.scheme = r.scheme;
        this.schemeHashAlg = r.schemeHashAlg;
        this.rsaKeyBits = r.rsaKeyBits;
        this.rsaExponent = r.rsaExponent;
        this.eccCurve = r.eccCurve;
        this.kdfScheme = r.kdfScheme;
        this.unique = r.unique;
        this.eccY = r.eccY;
    }

    /**
     * Parses a TPM2B_PUBLIC (u16 size ‖ TPMT_PUBLIC). When the first two bytes are not the length of the rest, the
     * bytes are parsed as a bare TPMT_PUBLIC. Every byte must be consumed.
     */
    public static TpmPublic parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw invalid("The TPM public key is empty.");
        }
        int declared = bytes.length >= 2 ? ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF) : -1;
        if (declared >= 0 && declared == bytes.length - 2) {
            return parseArea(Arrays.copyOfRange(bytes, 2, bytes.length));
        }
        try {
            return parseArea(bytes.clone());
        } catch (ProvisioningException e) {
            if (declared >= 0 && !isSupportedType(declared)) {
                throw invalid("The TPM public key is neither a TPM2B_PUBLIC (its size field says " + declared
                        + " bytes but " + (bytes.length - 2) + " follow) nor a TPMT_PUBLIC of a supported type.");
            }
            throw e;
        }
    }

    /** Parses base64 of a TPM2B_PUBLIC (or bare TPMT_PUBLIC); bad base64 is {@link ErrorCode#INVALID_ENDORSEMENT_KEY}. */
    public static TpmPublic parseBase64(String base64) {
        if (base64 == null || base64.isBlank()) {
            throw invalid("The TPM public key is empty.");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw invalid("The TPM public key is not valid base64.");
        }
        return parse(bytes);
    }

    private static TpmPublic parseArea(byte[] area) {
        Reader r = new Reader(area);
        r.type = r.u16();
        r.nameAlg = r.u16();
        r.objectAttributes = r.u32();
        r.authPolicy = r.tpm2b();
        switch (r.type) {
            case ALG_RSA -> {
                r.symmetric();
                r.scheme = r.u16();
                switch (r.scheme) {
                    case ALG_NULL, ALG_RSAES -> { }
                    case ALG_RSASSA, ALG_RSAPSS, ALG_OAEP -> r.schemeHashAlg = r.u16();
                    default -> throw invalid(String.format("Unsupported RSA scheme 0x%04X.", r.scheme));
                }
                r.rsaKeyBits = r.u16();
                r.rsaExponent = r.u32() & 0xFFFF_FFFFL;
                r.unique = r.tpm2b();
                if (r.rsaKeyBits == 0 || r.rsaKeyBits % 8 != 0 || r.unique.length != r.rsaKeyBits / 8) {
                    throw invalid("The RSA modulus is " + r.unique.length + " bytes long but keyBits is "
                            + r.rsaKeyBits + ".");
                }
            }
            case ALG_ECC -> {
                r.symmetric();
                r.scheme = r.u16();
                switch (r.scheme) {
                    case ALG_NULL -> { }
                    case ALG_ECDSA, ALG_ECDH, ALG_SM2, ALG_ECSCHNORR, ALG_ECMQV -> r.schemeHashAlg = r.u16();
                    case ALG_ECDAA -> {
                        r.schemeHashAlg = r.u16();
                        r.u16(); // count
                    }
                    default -> throw invalid(String.format("Unsupported ECC scheme 0x%04X.", r.scheme));
                }
                r.eccCurve = r.u16();
                r.kdfScheme = r.u16();
                switch (r.kdfScheme) {
                    case ALG_NULL -> { }
                    case ALG_MGF1, ALG_KDF1_SP800_56A, ALG_KDF2, ALG_KDF1_SP800_108 -> r.u16(); // hashAlg
                    default -> throw invalid(String.format("Unsupported KDF scheme 0x%04X.", r.kdfScheme));
                }
                r.unique = r.tpm2b();
                r.eccY = r.tpm2b();
                if (r.unique.length == 0 || r.eccY.length == 0) {
                    throw invalid("The ECC public point is empty.");
                }
            }
            case ALG_KEYEDHASH -> {
                r.scheme = r.u16();
                switch (r.scheme) {
                    case ALG_NULL -> { }
                    case ALG_HMAC -> r.schemeHashAlg = r.u16();
                    case ALG_XOR -> {
                        r.schemeHashAlg = r.u16();
                        r.kdfScheme = r.u16();
                    }
                    default -> throw invalid(String.format("Unsupported keyed-hash scheme 0x%04X.", r.scheme));
                }
                r.unique = r.tpm2b();
            }
            default -> throw invalid(String.format("Unsupported TPM object type 0x%04X.", r.type));
        }
        if (r.pos != area.length) {
            throw invalid("The TPM public area has " + (area.length - r.pos) + " trailing bytes.");
        }
        return new TpmPublic(area, r);
    }

    private static boolean isSupportedType(int type) {
        return type == ALG_RSA || type == ALG_ECC || type == ALG_KEYEDHASH;
    }

    /** The marshalled TPMT_PUBLIC, without the size prefix. */
    public byte[] marshalledPublicArea() {
        return marshalled.clone();
    }

    /** The canonical TPM2B_PUBLIC: u16 size ‖ TPMT_PUBLIC. */
    public byte[] tpm2bPublic() {
        byte[] out = new byte[marshalled.length + 2];
        out[0] = (byte) (marshalled.length >> 8);
        out[1] = (byte) marshalled.length;
        System.arraycopy(marshalled, 0, out, 2, marshalled.length);
        return out;
    }

    /** The TPM Name: u16 nameAlg ‖ hash(TPMT_PUBLIC), for SHA-1, SHA-256, SHA-384 and SHA-512. */
    public byte[] name() {
        String algorithm = switch (nameAlg) {
            case ALG_SHA1 -> "SHA-1";
            case ALG_SHA256 -> "SHA-256";
            case ALG_SHA384 -> "SHA-384";
            case ALG_SHA512 -> "SHA-512";
            default -> throw invalid(String.format("Unsupported TPM name algorithm 0x%04X.", nameAlg));
        };
        byte[] digest;
        try {
            digest = MessageDigest.getInstance(algorithm).digest(marshalled);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
        byte[] name = new byte[digest.length + 2];
        name[0] = (byte) (nameAlg >> 8);
        name[1] = (byte) nameAlg;
        System.arraycopy(digest, 0, name, 2, digest.length);
        return name;
    }

    /** The public key of an RSA object, or of an ECC object on NIST P-256, P-384 or P-521. */
    public PublicKey publicKey() {
        try {
            if (type == ALG_RSA) {
                return KeyFactory.getInstance("RSA")
                        .generatePublic(new RSAPublicKeySpec(new BigInteger(1, unique), publicExponent()));
            }
            if (type == ALG_ECC) {
                String curve = switch (eccCurve) {
                    case ECC_NIST_P256 -> "secp256r1";
                    case ECC_NIST_P384 -> "secp384r1";
                    case ECC_NIST_P521 -> "secp521r1";
                    default -> throw invalid(String.format("Unsupported ECC curve 0x%04X.", eccCurve));
                };
                AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                parameters.init(new ECGenParameterSpec(curve));
                ECParameterSpec spec = parameters.getParameterSpec(ECParameterSpec.class);
                ECPoint point = new ECPoint(new BigInteger(1, unique), new BigInteger(1, eccY));
                if (!isOnCurve(point, spec.getCurve())) {
                    throw invalid("The ECC public point is not on the curve.");
                }
                return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
            }
        } catch (GeneralSecurityException e) {
            throw invalid("The TPM public key cannot be used as a Java public key.");
        }
        throw invalid("A keyed-hash object has no public key.");
    }

    private static boolean isOnCurve(ECPoint point, EllipticCurve curve) {
        BigInteger p = ((ECFieldFp) curve.getField()).getP();
        BigInteger x = point.getAffineX();
        BigInteger y = point.getAffineY();
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger left = y.multiply(y).mod(p);
        BigInteger right = x.pow(3).add(curve.getA().multiply(x)).add(curve.getB()).mod(p);
        return left.equals(right);
    }

    public boolean isRsa() {
        return type == ALG_RSA;
    }

    public boolean isEcc() {
        return type == ALG_ECC;
    }

    public int type() {
        return type;
    }

    public int nameAlg() {
        return nameAlg;
    }

    public int objectAttributes() {
        return objectAttributes;
    }

    public byte[] authPolicy() {
        return authPolicy.clone();
    }

    /** The symmetric algorithm of the parameters ({@link #ALG_NULL} if none; {@link #ALG_NULL} for KEYEDHASH). */
    public int symmetricAlgorithm() {
        return symmetricAlgorithm;
    }

    /** Key bits of the symmetric algorithm (for XOR: its hash algorithm); 0 when the algorithm is NULL. */
    public int symmetricKeyBits() {
        return symmetricKeyBits;
    }

    /** Mode of the symmetric algorithm; {@link #ALG_NULL} when the algorithm is NULL or XOR. */
    public int symmetricMode() {
        return symmetricMode;
    }

    public int scheme() {
        return scheme;
    }

    /** Hash algorithm of the scheme; {@link #ALG_NULL} when the scheme has none. */
    public int schemeHashAlg() {
        return schemeHashAlg;
    }

    /** RSA key size in bits; 0 for other types. */
    public int rsaKeyBits() {
        return rsaKeyBits;
    }

    /** The exponent field as marshalled: 0 means 65537. */
    public long rsaExponent() {
        return rsaExponent;
    }

    /** The effective RSA public exponent. */
    public BigInteger publicExponent() {
        return rsaExponent == 0 ? DEFAULT_RSA_EXPONENT : BigInteger.valueOf(rsaExponent);
    }

    /** The RSA modulus, big-endian unsigned; empty for other types. */
    public byte[] modulus() {
        return type == ALG_RSA ? unique.clone() : new byte[0];
    }

    /** The ECC curve id; 0 for other types. */
    public int eccCurve() {
        return eccCurve;
    }

    /** The ECC KDF scheme (or the KDF of a keyed-hash XOR scheme); 0 when absent. */
    public int kdfScheme() {
        return kdfScheme;
    }

    /** The ECC point's x coordinate; empty for other types. */
    public byte[] eccX() {
        return type == ALG_ECC ? unique.clone() : new byte[0];
    }

    /** The ECC point's y coordinate; empty for other types. */
    public byte[] eccY() {
        return type == ALG_ECC ? eccY.clone() : new byte[0];
    }

    /** The {@code unique} field of a KEYEDHASH object; empty for other types. */
    public byte[] keyedHashUnique() {
        return type == ALG_KEYEDHASH ? unique.clone() : new byte[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TpmPublic other && Arrays.equals(marshalled, other.marshalled);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(marshalled);
    }

    @Override
    public String toString() {
        return String.format("TpmPublic[type=0x%04X, nameAlg=0x%04X, %d bytes]", type, nameAlg, marshalled.length);
    }

    private static ProvisioningException invalid(String message) {
        return new ProvisioningException(ErrorCode.INVALID_ENDORSEMENT_KEY, message);
    }

    /** Cursor over a TPMT_PUBLIC plus the fields read so far. */
    private static final class Reader {
        private final byte[] buf;
        private int pos;
        private int type;
        private int nameAlg;
        private int objectAttributes;
        private byte[] authPolicy;
        private int symmetricAlgorithm = ALG_NULL;
        private int symmetricKeyBits;
        private int symmetricMode = ALG_NULL;
        private int scheme = ALG_NULL;
        private int schemeHashAlg = ALG_NULL;
        private int rsaKeyBits;
        private long rsaExponent;
        private int eccCurve;
        private int kdfScheme;
        private byte[] unique = new byte[0];
        private byte[] eccY = new byte[0];

        Reader(byte[] buf) {
            this.buf = buf;
        }

        int u16() {
            need(2);
            int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        int u32() {
            need(4);
            int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8)
                    | (buf[pos + 3] & 0xFF);
            pos += 4;
            return v;
        }

        byte[] tpm2b() {
            int size = u16();
            need(size);
            byte[] v = Arrays.copyOfRange(buf, pos, pos + size);
            pos += size;
            return v;
        }

        /** TPMT_SYM_DEF_OBJECT. */
        void symmetric() {
            symmetricAlgorithm = u16();
            if (symmetricAlgorithm == ALG_NULL) {
                return;
            }
            symmetricKeyBits = u16();
            if (symmetricAlgorithm != ALG_XOR) {
                symmetricMode = u16();
            }
        }

        private void need(int n) {
            if (buf.length - pos < n) {
                throw invalid("The TPM public area is truncated.");
            }
        }
    }
}
