package dev.opendps.testing;

import dev.opendps.domain.tpm.Kdfa;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * A device-side stand-in for a TPM with an RSA-2048 EK and SRK whose private keys are in memory. It undoes a DPS
 * activation blob (dps-protocol.md §2.4) the way a TPM would: ActivateCredential with the EK, then Import under
 * the SRK with every integrity check a TPM makes, and returns what the device would end up with. Written from
 * the TPM 2.0 Part 1 algorithms, independently of {@code ActivationBlob} (it shares only {@link Kdfa}, which
 * has its own known-answer test and the swtpm cross-check).
 */
public final class SoftwareTpm {
    /** The TCG EK Credential Profile policy digest (PolicySecret(TPM_RH_ENDORSEMENT)). */
    public static final byte[] EK_POLICY =
            HexFormat.of().parseHex("837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA");
    /** EK template attributes: fixedTPM|fixedParent|sensitiveDataOrigin|adminWithPolicy|restricted|decrypt. */
    public static final int EK_ATTRIBUTES = 0x000300B2;
    /** SRK template attributes: fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|noDA|restricted|decrypt. */
    public static final int SRK_ATTRIBUTES = 0x00030472;

    private final KeyPair endorsement;
    private final KeyPair storageRoot;
    private final byte[] endorsementKey;
    private final byte[] storageRootKey;

    /** What the device holds after activating a blob. */
    public record Activated(byte[] innerWrapKey, byte[] hmacKey, byte[] uriData, byte[] idKeyPublic) {
    }

    private SoftwareTpm(KeyPair endorsement, KeyPair storageRoot) {
        this.endorsement = endorsement;
        this.storageRoot = storageRoot;
        this.endorsementKey = rsaPublic((RSAPublicKey) endorsement.getPublic(), EK_ATTRIBUTES, EK_POLICY);
        this.storageRootKey = rsaPublic((RSAPublicKey) storageRoot.getPublic(), SRK_ATTRIBUTES, new byte[0]);
    }

    /** A TPM with fresh RSA-2048 EK and SRK. */
    public static SoftwareTpm create() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return new SoftwareTpm(generator.generateKeyPair(), generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The EK as TPM2B_PUBLIC with the standard EK template. */
    public byte[] endorsementKey() {
        return endorsementKey.clone();
    }

    /** The SRK as TPM2B_PUBLIC with the standard storage template. */
    public byte[] storageRootKey() {
        return storageRootKey.clone();
    }

    /**
     * An RSA public area with AES-128-CFB, scheme NULL, default exponent and nameAlg SHA-256, as TPM2B_PUBLIC.
     * The exponent must be 65537.
     */
    public static byte[] rsaPublic(RSAPublicKey key, int attributes, byte[] policy) {
        if (!key.getPublicExponent().equals(BigInteger.valueOf(65537))) {
            throw new IllegalArgumentException("The exponent must be 65537.");
        }
        int bytes = (key.getModulus().bitLength() + 7) / 8;
        byte[] area = new Out()
                .u16(0x0001).u16(0x000B).u32(attributes).tpm2b(policy)
                .u16(0x0006).u16(128).u16(0x0043) // AES-128-CFB
                .u16(0x0010) // scheme NULL
                .u16(bytes * 8).u32(0) // keyBits, default exponent
                .tpm2b(unsigned(key.getModulus(), bytes))
                .bytes();
        return new Out().tpm2b(area).bytes();
    }

    /** Splits an activation blob into its six fields, each in its TPM2B form (u16 size ‖ bytes). */
    public static List<byte[]> splitFields(byte[] blob) {
        ByteBuffer in = ByteBuffer.wrap(blob);
        List<byte[]> fields = new ArrayList<>();
        while (in.hasRemaining()) {
            if (in.remaining() < 2) {
                throw new SecurityException("A size field of the blob is truncated.");
            }
            int size = in.getShort(in.position()) & 0xFFFF;
            if (in.remaining() < 2 + size) {
                throw new SecurityException("Field " + (fields.size() + 1) + " of the blob is truncated.");
            }
            byte[] field = new byte[2 + size];
            in.get(field);
            fields.add(field);
        }
        if (fields.size() != 6) {
            throw new SecurityException("The blob has " + fields.size() + " fields, not 6.");
        }
        return fields;
    }

    /** The content of a TPM2B (without its size). */
    public static byte[] content(byte[] tpm2b) {
        return Arrays.copyOfRange(tpm2b, 2, tpm2b.length);
    }

    /**
     * Activates a blob: recovers the inner wrapper key with the EK, imports the duplicated HMAC key under the SRK
     * and decrypts the URI data. Every failed check is a {@link SecurityException}.
     */
    public Activated activate(byte[] blob) {
        List<byte[]> fields = splitFields(blob);
        byte[] innerWrapKey = activateCredential(content(fields.get(0)), content(fields.get(1)));
        byte[] idKeyPublic = content(fields.get(4));
        byte[] hmacKey = importDuplicate(content(fields.get(2)), content(fields.get(3)), idKeyPublic, innerWrapKey);
        byte[] uriData = cfbDecrypt(innerWrapKey, content(fields.get(5)));
        return new Activated(innerWrapKey, hmacKey, uriData, idKeyPublic);
    }

    private byte[] activateCredential(byte[] idObject, byte[] secret) {
        byte[] seed = oaepDecrypt(endorsement.getPrivate(), secret, "IDENTITY");
        byte[] srkName = name(content(storageRootKey));
        ByteBuffer in = ByteBuffer.wrap(idObject);
        byte[] integrity = tpm2b(in, "integrityHMAC");
        byte[] encIdentity = rest(in);
        byte[] expected = hmac(Kdfa.sha256(seed, "INTEGRITY", new byte[0], new byte[0], 256), encIdentity, srkName);
        if (!MessageDigest.isEqual(expected, integrity)) {
            throw new SecurityException("The credential's integrity HMAC does not verify.");
        }
        byte[] plain = cfbDecrypt(Kdfa.sha256(seed, "STORAGE", srkName, new byte[0], 128), encIdentity);
        ByteBuffer credential = ByteBuffer.wrap(plain);
        byte[] value = tpm2b(credential, "credential");
        if (credential.hasRemaining()) {
            throw new SecurityException("The credential has trailing bytes.");
        }
        return value;
    }

    private byte[] importDuplicate(byte[] duplicate, byte[] inSymSeed, byte[] idKeyPublic, byte[] innerWrapKey) {
        checkImportablePublic(idKeyPublic);
        byte[] seed = oaepDecrypt(storageRoot.getPrivate(), inSymSeed, "DUPLICATE");
        byte[] idName = name(idKeyPublic);
        ByteBuffer in = ByteBuffer.wrap(duplicate);
        byte[] outerHmac = tpm2b(in, "outerHMAC");
        byte[] dupSensitive = rest(in);
        byte[] expected = hmac(Kdfa.sha256(seed, "INTEGRITY", new byte[0], new byte[0], 256), dupSensitive, idName);
        if (!MessageDigest.isEqual(expected, outerHmac)) {
            throw new SecurityException("The duplicate's outer integrity HMAC does not verify.");
        }
        byte[] encSensitive = cfbDecrypt(Kdfa.sha256(seed, "STORAGE", idName, new byte[0], 128), dupSensitive);
        ByteBuffer inner = ByteBuffer.wrap(cfbDecrypt(innerWrapKey, encSensitive));
        byte[] innerIntegrity = tpm2b(inner, "innerIntegrity");
        byte[] sensitiveTpm2b = rest(inner);
        if (!MessageDigest.isEqual(sha256(sensitiveTpm2b, idName), innerIntegrity)) {
            throw new SecurityException("The duplicate's inner integrity digest does not verify.");
        }
        ByteBuffer outer = ByteBuffer.wrap(sensitiveTpm2b);
        ByteBuffer sensitive = ByteBuffer.wrap(tpm2b(outer, "TPM2B_SENSITIVE"));
        if (outer.hasRemaining()) {
            throw new SecurityException("The TPM2B_SENSITIVE size is wrong.");
        }
        if (sensitive.getShort() != 0x0008) {
            throw new SecurityException("The sensitive area is not a keyed-hash object.");
        }
        tpm2b(sensitive, "authValue");
        byte[] seedValue = tpm2b(sensitive, "seedValue");
        byte[] key = tpm2b(sensitive, "sensitive");
        if (sensitive.hasRemaining()) {
            throw new SecurityException("The sensitive area has trailing bytes.");
        }
        byte[] unique = Arrays.copyOfRange(idKeyPublic, idKeyPublic.length - 32, idKeyPublic.length);
        if (!MessageDigest.isEqual(sha256(seedValue, key), unique)) {
            throw new SecurityException("The public area's unique does not match the sensitive area.");
        }
        return key;
    }

    /** What TPM2_Import requires of the public area, for the HMAC template of §2.4. */
    private static void checkImportablePublic(byte[] area) {
        ByteBuffer in = ByteBuffer.wrap(area);
        int type = in.getShort() & 0xFFFF;
        int nameAlg = in.getShort() & 0xFFFF;
        int attributes = in.getInt();
        tpm2b(in, "authPolicy");
        int scheme = in.getShort() & 0xFFFF;
        int hashAlg = in.getShort() & 0xFFFF;
        byte[] unique = tpm2b(in, "unique");
        if (type != 0x0008 || nameAlg != 0x000B || scheme != 0x0005 || hashAlg != 0x000B || unique.length != 32
                || in.hasRemaining()) {
            throw new SecurityException("The public area is not an HMAC-SHA-256 keyed-hash object.");
        }
        if ((attributes & 0x12) != 0) {
            throw new SecurityException("fixedTPM or fixedParent is set: the object cannot be imported.");
        }
    }

    private static byte[] oaepDecrypt(PrivateKey key, byte[] encrypted, String label) {
        byte[] labelBytes = (label + "\0").getBytes(StandardCharsets.US_ASCII);
        try {
            Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                    new PSource.PSpecified(labelBytes)));
            return cipher.doFinal(encrypted);
        } catch (GeneralSecurityException e) {
            throw new SecurityException("The " + label + " seed does not decrypt.", e);
        }
    }

    private static byte[] cfbDecrypt(byte[] key, byte[] data) {
        try {
            Cipher cipher = Cipher.getInstance("AES/CFB/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
            return cipher.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Name with nameAlg SHA-256 of a TPMT_PUBLIC. */
    private static byte[] name(byte[] publicArea) {
        return new Out().u16(0x000B).raw(sha256(publicArea)).bytes();
    }

    private static byte[] tpm2b(ByteBuffer in, String what) {
        if (in.remaining() < 2) {
            throw new SecurityException(what + " is truncated.");
        }
        int size = in.getShort() & 0xFFFF;
        if (in.remaining() < size) {
            throw new SecurityException(what + " is truncated.");
        }
        byte[] value = new byte[size];
        in.get(value);
        return value;
    }

    private static byte[] rest(ByteBuffer in) {
        byte[] value = new byte[in.remaining()];
        in.get(value);
        return value;
    }

    private static byte[] unsigned(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    /** Big-endian TPM marshalling. */
    private static final class Out {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Out u16(int v) {
            out.write(v >> 8);
            out.write(v);
            return this;
        }

        Out u32(int v) {
            return u16(v >>> 16).u16(v & 0xFFFF);
        }

        Out tpm2b(byte[] data) {
            return u16(data.length).raw(data);
        }

        Out raw(byte[] data) {
            out.writeBytes(data);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
