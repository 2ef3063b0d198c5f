package dev.opendps.domain.tpm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds the TPM activation blob that DPS returns as {@code authenticationKey} (dps-protocol.md §2.4), in
 * software: an HMAC key object duplicated under the device's storage root key (SRK), whose inner wrapper key is
 * sent as a credential that only the TPM holding the endorsement key (EK) can activate.
 *
 * <p>The blob is six fields, each a u16 size followed by its bytes:
 * <ol>
 *   <li>credentialBlob, TPM2B_ID_OBJECT: MakeCredential of the inner wrapper key to the EK, bound to Name(SRK);</li>
 *   <li>secret, TPM2B_ENCRYPTED_SECRET: the credential seed, RSA-OAEP encrypted to the EK, label "IDENTITY";</li>
 *   <li>duplicate, TPM2B_PRIVATE: the HMAC key's sensitive area under an inner and an outer wrapper;</li>
 *   <li>inSymSeed, TPM2B_ENCRYPTED_SECRET: the outer wrapper seed, RSA-OAEP encrypted to the SRK, label
 *       "DUPLICATE";</li>
 *   <li>idKeyPublic, TPM2B_PUBLIC: the public area of the HMAC key;</li>
 *   <li>encUriData: AES-128-CFB (inner wrapper key, zero IV) of caller data.</li>
 * </ol>
 * The device runs ActivateCredential (SRK, EK, #1, #2) to get the inner wrapper key, then Import (SRK, that key,
 * #5, #3, #4, AES-128-CFB) and Load, and signs with TPM2_HMAC.
 *
 * <p>Both keys must be RSA-2048 restricted decryption keys with name algorithm SHA-256 and symmetric
 * AES-128-CFB (the standard EK and SRK templates); anything else is an {@link UnsupportedTpmKeyException}.
 */
public final class ActivationBlob {
    /** Size of the HMAC key the blob carries. */
    public static final int HMAC_KEY_BYTES = 32;
    /** Largest encUriData: the Java SDK decrypts it in one TPM2_EncryptDecrypt (MAX_DIGEST_BUFFER). */
    public static final int MAX_URI_DATA_BYTES = 1024;

    private static final int RSA_KEY_BITS = 2048;
    private static final int INNER_WRAP_KEY_BYTES = 16;
    private static final int SEED_BYTES = 32;
    private static final int AES_KEY_BITS = 128;

    private static final int ATTR_USER_WITH_AUTH = 0x0000_0040;
    private static final int ATTR_NO_DA = 0x0000_0400;
    private static final int ATTR_RESTRICTED = 0x0001_0000;
    private static final int ATTR_DECRYPT = 0x0002_0000;
    private static final int ATTR_SIGN = 0x0004_0000;
    /** sign | userWithAuth | noDA; fixedTPM and fixedParent clear so the object can be imported. */
    private static final int HMAC_KEY_ATTRIBUTES = ATTR_SIGN | ATTR_USER_WITH_AUTH | ATTR_NO_DA;

    private static final int TPM_CC_POLICY_COMMAND_CODE = 0x0000_016C;
    private static final int TPM_CC_DUPLICATE = 0x0000_014B;

    private static final byte[] IDENTITY_LABEL = "IDENTITY\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DUPLICATE_LABEL = "DUPLICATE\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY = new byte[0];

    private ActivationBlob() {
    }

    /**
     * Builds an activation blob carrying {@code hmacKey} for the TPM with these keys.
     *
     * @param endorsementKeyTpm2bPublic the EK as TPM2B_PUBLIC (or bare TPMT_PUBLIC)
     * @param storageRootKeyTpm2bPublic the SRK as TPM2B_PUBLIC (or bare TPMT_PUBLIC)
     * @param hmacKey                   the 32-byte key the device will sign with
     * @param encUriData                1 to {@value #MAX_URI_DATA_BYTES} bytes to encrypt into the last field
     * @param random                    source of the inner wrapper key, seeds and OAEP padding
     * @return the six concatenated fields
     * @throws UnsupportedTpmKeyException if the EK or SRK is not an RSA-2048 SHA-256 AES-128-CFB restricted
     *                                    decryption key (for example an ECC key)
     * @throws dev.opendps.domain.ProvisioningException {@code INVALID_ENDORSEMENT_KEY} if either key is not a
     *                                    well-formed TPM public area
     * @throws IllegalArgumentException   if {@code hmacKey} or {@code encUriData} has a wrong size
     */
    public static byte[] build(byte[] endorsementKeyTpm2bPublic, byte[] storageRootKeyTpm2bPublic, byte[] hmacKey,
            byte[] encUriData, SecureRandom random) {
        Objects.requireNonNull(endorsementKeyTpm2bPublic, "endorsementKeyTpm2bPublic");
        Objects.requireNonNull(storageRootKeyTpm2bPublic, "storageRootKeyTpm2bPublic");
        Objects.requireNonNull(hmacKey, "hmacKey");
        Objects.requireNonNull(encUriData, "encUriData");
        Objects.requireNonNull(random, "random");
        if (hmacKey.length != HMAC_KEY_BYTES) {
            throw new IllegalArgumentException("The HMAC key must be " + HMAC_KEY_BYTES + " bytes, not "
                    + hmacKey.length + ".");
        }
        if (encUriData.length == 0 || encUriData.length > MAX_URI_DATA_BYTES) {
            throw new IllegalArgumentException("encUriData must be 1 to " + MAX_URI_DATA_BYTES + " bytes, not "
                    + encUriData.length + ".");
        }
        TpmPublic ek = requireSupported("endorsement key", TpmPublic.parse(endorsementKeyTpm2bPublic));
        TpmPublic srk = requireSupported("storage root key", TpmPublic.parse(storageRootKeyTpm2bPublic));

        byte[] innerWrapKey = randomBytes(random, INNER_WRAP_KEY_BYTES);
        byte[] seedValue = randomBytes(random, SEED_BYTES);
        byte[] idKeyPublic = hmacKeyPublicArea(seedValue, hmacKey);
        byte[] idKeyName = name(idKeyPublic);
        byte[] sensitive = hmacKeySensitive(seedValue, hmacKey);

        byte[] encSensitive = innerWrapper(sensitive, idKeyName, innerWrapKey);
        byte[] duplicateSeed = randomBytes(random, SEED_BYTES);
        byte[] duplicate = outerWrapper(encSensitive, idKeyName, duplicateSeed);
        byte[] inSymSeed = encryptSeed(srk, duplicateSeed, DUPLICATE_LABEL, random);

        byte[] credentialSeed = randomBytes(random, SEED_BYTES);
        byte[] credentialBlob = makeCredential(innerWrapKey, srk.name(), credentialSeed);
        byte[] secret = encryptSeed(ek, credentialSeed, IDENTITY_LABEL, random);

        byte[] uriData = aesCfb(innerWrapKey, encUriData);

        byte[] blob = new Writer()
                .tpm2b(credentialBlob)
                .tpm2b(secret)
                .tpm2b(duplicate)
                .tpm2b(inSymSeed)
                .tpm2b(idKeyPublic)
                .tpm2b(uriData)
                .bytes();
        for (byte[] secretBytes : new byte[][] {innerWrapKey, seedValue, sensitive, duplicateSeed, credentialSeed}) {
            Arrays.fill(secretBytes, (byte) 0);
        }
        return blob;
    }

    /** The EK and SRK must match the standard RSA templates (dps-protocol.md §2.4). */
    private static TpmPublic requireSupported(String which, TpmPublic key) {
        if (!key.isRsa()) {
            String type = key.isEcc() ? "an ECC key" : String.format("of type 0x%04X", key.type());
            throw new UnsupportedTpmKeyException("The " + which + " is " + type
                    + "; only RSA TPM keys are supported for TPM attestation.");
        }
        if (key.rsaKeyBits() != RSA_KEY_BITS) {
            throw new UnsupportedTpmKeyException("The " + which + " is RSA-" + key.rsaKeyBits()
                    + "; only RSA-2048 TPM keys are supported for TPM attestation.");
        }
        if (key.nameAlg() != TpmPublic.ALG_SHA256) {
            throw new UnsupportedTpmKeyException(String.format(
                    "The %s has name algorithm 0x%04X; only SHA-256 is supported.", which, key.nameAlg()));
        }
        if (key.symmetricAlgorithm() != TpmPublic.ALG_AES || key.symmetricKeyBits() != AES_KEY_BITS
                || key.symmetricMode() != TpmPublic.ALG_CFB) {
            throw new UnsupportedTpmKeyException("The " + which + " is not an AES-128-CFB protected key; only the"
                    + " standard templates are supported.");
        }
        int required = ATTR_RESTRICTED | ATTR_DECRYPT;
        if ((key.objectAttributes() & required) != required || (key.objectAttributes() & ATTR_SIGN) != 0) {
            throw new UnsupportedTpmKeyException("The " + which + " is not a restricted decryption key.");
        }
        return key;
    }

    /** HMAC key TPMT_PUBLIC per the DrsServer template (dps-protocol.md §2.4). */
    private static byte[] hmacKeyPublicArea(byte[] seedValue, byte[] hmacKey) {
        return new Writer()
                .u16(TpmPublic.ALG_KEYEDHASH)
                .u16(TpmPublic.ALG_SHA256)
                .u32(HMAC_KEY_ATTRIBUTES)
                .tpm2b(duplicatePolicy())
                .u16(TpmPublic.ALG_HMAC) // scheme
                .u16(TpmPublic.ALG_SHA256) // TPMS_SCHEME_HMAC.hashAlg
                .tpm2b(sha256(seedValue, hmacKey)) // unique binds the public area to the sensitive area
                .bytes();
    }

    /** HMAC key TPM2B_SENSITIVE: type, empty authValue, seedValue, key bytes (dps-protocol.md §2.4). */
    private static byte[] hmacKeySensitive(byte[] seedValue, byte[] hmacKey) {
        byte[] sensitive = new Writer()
                .u16(TpmPublic.ALG_KEYEDHASH)
                .tpm2b(EMPTY)
                .tpm2b(seedValue)
                .tpm2b(hmacKey)
                .bytes();
        return new Writer().tpm2b(sensitive).bytes();
    }

    /** authPolicy = PolicyCommandCode(TPM_CC_Duplicate), as DrsServer sets it (dps-protocol.md §2.4). */
    private static byte[] duplicatePolicy() {
        byte[] command = new Writer().u32(TPM_CC_POLICY_COMMAND_CODE).u32(TPM_CC_DUPLICATE).bytes();
        return sha256(new byte[32], command);
    }

    /** Inner wrapper: AES-128-CFB(innerWrapKey, TPM2B(SHA-256(sensitive ‖ name)) ‖ sensitive) (dps-protocol.md §2.4). */
    private static byte[] innerWrapper(byte[] sensitive, byte[] idKeyName, byte[] innerWrapKey) {
        byte[] innerIntegrity = sha256(sensitive, idKeyName);
        byte[] plain = new Writer().tpm2b(innerIntegrity).raw(sensitive).bytes();
        return aesCfb(innerWrapKey, plain);
    }

    /** Outer wrapper to the SRK: KDFa keys from the seed, CFB encryption, then the outer HMAC (dps-protocol.md §2.4). */
    private static byte[] outerWrapper(byte[] encSensitive, byte[] idKeyName, byte[] seed) {
        byte[] symKey = Kdfa.sha256(seed, "STORAGE", idKeyName, EMPTY, AES_KEY_BITS);
        byte[] integrityKey = Kdfa.sha256(seed, "INTEGRITY", EMPTY, EMPTY, 256);
        byte[] dupSensitive = aesCfb(symKey, encSensitive);
        byte[] outerHmac = hmacSha256(integrityKey, dupSensitive, idKeyName);
        return new Writer().tpm2b(outerHmac).raw(dupSensitive).bytes();
    }

    /** MakeCredential to the EK, bound to Name(SRK): TPMS_ID_OBJECT of the credential (dps-protocol.md §2.4). */
    private static byte[] makeCredential(byte[] credential, byte[] objectName, byte[] seed) {
        byte[] symKey = Kdfa.sha256(seed, "STORAGE", objectName, EMPTY, AES_KEY_BITS);
        byte[] encIdentity = aesCfb(symKey, new Writer().tpm2b(credential).bytes());
        byte[] integrityKey = Kdfa.sha256(seed, "INTEGRITY", EMPTY, EMPTY, 256);
        byte[] integrityHmac = hmacSha256(integrityKey, encIdentity, objectName);
        return new Writer().tpm2b(integrityHmac).raw(encIdentity).bytes();
    }

    /** Seed encryption: RSA-OAEP with SHA-256/MGF1-SHA-256 and a TPM label (dps-protocol.md §2.4). */
    private static byte[] encryptSeed(TpmPublic key, byte[] seed, byte[] label, SecureRandom random) {
        PublicKey publicKey = key.publicKey();
        try {
            Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
            cipher.init(Cipher.ENCRYPT_MODE, publicKey, new OAEPParameterSpec("SHA-256", "MGF1",
                    MGF1ParameterSpec.SHA256, new PSource.PSpecified(label)), random);
            return cipher.doFinal(seed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA-OAEP encryption failed", e);
        }
    }

    /** Name of a public area with nameAlg SHA-256: u16 0x000B ‖ SHA-256(TPMT_PUBLIC). */
    private static byte[] name(byte[] publicArea) {
        return new Writer().u16(TpmPublic.ALG_SHA256).raw(sha256(publicArea)).bytes();
    }

    /** Full-block CFB-128 with a zero IV, as the TPM uses for parameter and wrapper encryption. */
    private static byte[] aesCfb(byte[] key, byte[] plain) {
        try {
            Cipher cipher = Cipher.getInstance("AES/CFB/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
            return cipher.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CFB is not available", e);
        }
    }

    private static byte[] hmacSha256(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is not available", e);
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
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static byte[] randomBytes(SecureRandom random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Big-endian TPM marshalling. */
    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer u16(int value) {
            out.write(value >>> 8);
            out.write(value);
            return this;
        }

        Writer u32(int value) {
            return u16(value >>> 16).u16(value & 0xFFFF);
        }

        Writer tpm2b(byte[] data) {
            if (data.length > 0xFFFF) {
                throw new IllegalStateException("A TPM2B field cannot hold " + data.length + " bytes.");
            }
            return u16(data.length).raw(data);
        }

        Writer raw(byte[] data) {
            out.writeBytes(data);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
