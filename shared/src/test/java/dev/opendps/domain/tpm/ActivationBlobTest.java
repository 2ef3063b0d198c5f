package dev.opendps.domain.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;
import dev.opendps.testing.SoftwareTpm;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ActivationBlobTest {
    /** PolicyCommandCode(TPM_CC_Duplicate), as tpm2_policycommandcode computes it in a trial session on swtpm. */
    private static final byte[] DUPLICATE_POLICY =
            HexFormat.of().parseHex("bef56b8c1cc84e11edd717528d2cd99356bd2bbf8f015209c3f84aeeaba8e8a2");
    private static final byte[] URI = "https://opendps.invalid/registrations/device-1".getBytes(StandardCharsets.UTF_8);

    private static SoftwareTpm tpm;
    private static final SecureRandom RANDOM = new SecureRandom();

    @BeforeAll
    static void createTpm() {
        tpm = SoftwareTpm.create();
    }

    private static byte[] hmacKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    private static byte[] build(byte[] hmacKey) {
        return ActivationBlob.build(tpm.endorsementKey(), tpm.storageRootKey(), hmacKey, URI, RANDOM);
    }

    @Test
    void theDeviceRecoversTheHmacKeyAndTheUriData() {
        byte[] key = hmacKey();

        SoftwareTpm.Activated activated = tpm.activate(build(key));

        assertThat(activated.hmacKey()).isEqualTo(key);
        assertThat(activated.innerWrapKey()).hasSize(16);
        assertThat(activated.uriData()).isEqualTo(URI);
    }

    @Test
    void theBlobHasSixSizePrefixedFieldsOfTheExpectedSizes() {
        byte[] blob = build(hmacKey());

        List<byte[]> fields = SoftwareTpm.splitFields(blob);

        assertThat(fields).hasSize(6);
        assertThat(fields.stream().mapToInt(f -> f.length).sum()).isEqualTo(blob.length);
        // TPM2B_ID_OBJECT: TPM2B_DIGEST(32-byte HMAC) ‖ encrypted TPM2B_DIGEST(16-byte credential)
        assertThat(SoftwareTpm.content(fields.get(0))).hasSize(2 + 32 + 2 + 16);
        assertThat(SoftwareTpm.content(fields.get(1))).hasSize(256);
        // TPM2B_PRIVATE: TPM2B_DIGEST(outer HMAC) ‖ TPM2B_DIGEST(inner digest) ‖ TPM2B_SENSITIVE(type, empty
        // authValue, 32-byte seedValue, 32-byte key)
        assertThat(SoftwareTpm.content(fields.get(2))).hasSize((2 + 32) + (2 + 32) + 2 + (2 + 2 + 34 + 34));
        assertThat(SoftwareTpm.content(fields.get(3))).hasSize(256);
        assertThat(SoftwareTpm.content(fields.get(4))).hasSize(2 + 2 + 4 + 34 + 2 + 2 + 34);
        assertThat(SoftwareTpm.content(fields.get(5))).hasSize(URI.length);
    }

    @Test
    void theHmacKeyPublicAreaFollowsTheDrsServerTemplate() {
        byte[] blob = build(hmacKey());
        TpmPublic idKey = TpmPublic.parse(SoftwareTpm.splitFields(blob).get(4));

        assertThat(idKey.type()).isEqualTo(TpmPublic.ALG_KEYEDHASH);
        assertThat(idKey.nameAlg()).isEqualTo(TpmPublic.ALG_SHA256);
        assertThat(idKey.objectAttributes()).isEqualTo(0x00040440);
        assertThat(idKey.authPolicy()).isEqualTo(DUPLICATE_POLICY);
        assertThat(idKey.scheme()).isEqualTo(TpmPublic.ALG_HMAC);
        assertThat(idKey.schemeHashAlg()).isEqualTo(TpmPublic.ALG_SHA256);
        assertThat(idKey.keyedHashUnique()).hasSize(32);
    }

    @Test
    void everyBlobUsesFreshRandomness() {
        byte[] key = hmacKey();

        byte[] first = build(key);
        byte[] second = build(key);

        List<byte[]> a = SoftwareTpm.splitFields(first);
        List<byte[]> b = SoftwareTpm.splitFields(second);
        for (int i = 0; i < 6; i++) {
            assertThat(a.get(i)).as("field %d", i + 1).isNotEqualTo(b.get(i));
        }
    }

    /** Fields 1 to 5 are integrity protected: any flipped byte fails activation or import. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void aModifiedFieldFailsTheIntegrityCheck(int field) {
        byte[] blob = build(hmacKey());
        List<byte[]> fields = SoftwareTpm.splitFields(blob);
        for (int offset : new int[] {2, fields.get(field).length / 2, fields.get(field).length - 1}) {
            List<byte[]> tampered = fields.stream().map(byte[]::clone).toList();
            tampered.get(field)[offset] ^= 0x01;

            assertThatThrownBy(() -> tpm.activate(concat(tampered)))
                    .as("field %d, byte %d", field + 1, offset)
                    .isInstanceOf(SecurityException.class);
        }
    }

    @Test
    void theUriDataIsEncryptedButNotIntegrityProtected() {
        byte[] blob = build(hmacKey());
        List<byte[]> fields = SoftwareTpm.splitFields(blob);
        assertThat(SoftwareTpm.content(fields.get(5))).isNotEqualTo(URI);
        fields.get(5)[2] ^= 0x01;

        SoftwareTpm.Activated activated = tpm.activate(concat(fields));

        assertThat(activated.uriData()[0]).isEqualTo((byte) (URI[0] ^ 0x01));
    }

    @Test
    void aBlobForAnotherEndorsementKeyDoesNotActivate() {
        RSAPublicKey otherKey = (RSAPublicKey) TpmPublic.parse(tpm.storageRootKey()).publicKey();
        byte[] otherEk = SoftwareTpm.rsaPublic(otherKey, SoftwareTpm.EK_ATTRIBUTES, SoftwareTpm.EK_POLICY);
        byte[] blob = ActivationBlob.build(otherEk, tpm.storageRootKey(), hmacKey(), URI, RANDOM);

        assertThatThrownBy(() -> tpm.activate(blob)).isInstanceOf(SecurityException.class)
                .hasMessageContaining("IDENTITY");
    }

    @Test
    void aBlobForAnotherStorageRootKeyDoesNotActivateBecauseTheCredentialIsBoundToItsName() {
        RSAPublicKey otherKey = (RSAPublicKey) TpmPublic.parse(tpm.endorsementKey()).publicKey();
        byte[] otherSrk = SoftwareTpm.rsaPublic(otherKey, SoftwareTpm.SRK_ATTRIBUTES, new byte[0]);
        byte[] blob = ActivationBlob.build(tpm.endorsementKey(), otherSrk, hmacKey(), URI, RANDOM);

        assertThatThrownBy(() -> tpm.activate(blob)).isInstanceOf(SecurityException.class)
                .hasMessageContaining("credential's integrity");
    }

    @Test
    void aBareTpmtPublicIsAcceptedForEitherKey() {
        byte[] ek = tpm.endorsementKey();
        byte[] srk = tpm.storageRootKey();
        byte[] key = hmacKey();

        byte[] blob = ActivationBlob.build(Arrays.copyOfRange(ek, 2, ek.length),
                Arrays.copyOfRange(srk, 2, srk.length), key, URI, RANDOM);

        assertThat(tpm.activate(blob).hmacKey()).isEqualTo(key);
    }

    @Test
    void anEccEndorsementKeyIsRejectedAsUnsupported() throws Exception {
        byte[] eccEk = eccEndorsementKey();

        assertThatThrownBy(() -> ActivationBlob.build(eccEk, tpm.storageRootKey(), hmacKey(), URI, RANDOM))
                .isInstanceOf(UnsupportedTpmKeyException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endorsement key is an ECC key")
                .hasMessageContaining("only RSA");
    }

    @Test
    void anEccStorageRootKeyIsRejectedAsUnsupported() throws Exception {
        byte[] eccSrk = eccEndorsementKey();

        assertThatThrownBy(() -> ActivationBlob.build(tpm.endorsementKey(), eccSrk, hmacKey(), URI, RANDOM))
                .isInstanceOf(UnsupportedTpmKeyException.class)
                .hasMessageContaining("storage root key")
                .hasMessageContaining("only RSA");
    }

    @Test
    void rsaKeysThatAreNotTheStandardTemplatesAreRejected() throws Exception {
        BigInteger modulus = new BigInteger(3072, RANDOM).setBit(3071).setBit(0); // only parsed, never used
        RSAPublicKey key3072 = (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(modulus, BigInteger.valueOf(65537)));
        byte[] rsa3072 = SoftwareTpm.rsaPublic(key3072, SoftwareTpm.SRK_ATTRIBUTES, new byte[0]);
        assertThatThrownBy(() -> ActivationBlob.build(tpm.endorsementKey(), rsa3072, hmacKey(), URI, RANDOM))
                .isInstanceOf(UnsupportedTpmKeyException.class).hasMessageContaining("RSA-3072");

        byte[] signingSrk = withAttributes(tpm.storageRootKey(), 0x00050472); // sign instead of decrypt
        assertThatThrownBy(() -> ActivationBlob.build(tpm.endorsementKey(), signingSrk, hmacKey(), URI, RANDOM))
                .isInstanceOf(UnsupportedTpmKeyException.class).hasMessageContaining("restricted decryption");

        byte[] unrestrictedEk = withAttributes(tpm.endorsementKey(), 0x000200B2);
        assertThatThrownBy(() -> ActivationBlob.build(unrestrictedEk, tpm.storageRootKey(), hmacKey(), URI, RANDOM))
                .isInstanceOf(UnsupportedTpmKeyException.class).hasMessageContaining("endorsement key");
    }

    @Test
    void malformedKeysAreInvalidEndorsementKeys() {
        byte[] truncated = Arrays.copyOf(tpm.endorsementKey(), 100);

        assertThatThrownBy(() -> ActivationBlob.build(truncated, tpm.storageRootKey(), hmacKey(), URI, RANDOM))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ENDORSEMENT_KEY));
    }

    @Test
    void theHmacKeyAndUriDataSizesAreChecked() {
        assertThatThrownBy(() -> ActivationBlob.build(tpm.endorsementKey(), tpm.storageRootKey(), new byte[16], URI,
                RANDOM)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> ActivationBlob.build(tpm.endorsementKey(), tpm.storageRootKey(), hmacKey(),
                new byte[0], RANDOM)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("encUriData");
        assertThatThrownBy(() -> ActivationBlob.build(tpm.endorsementKey(), tpm.storageRootKey(), hmacKey(),
                new byte[1025], RANDOM)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("encUriData");
    }

    @Test
    void theMaximumUriDataFits() {
        byte[] uri = new byte[ActivationBlob.MAX_URI_DATA_BYTES];
        RANDOM.nextBytes(uri);

        byte[] blob = ActivationBlob.build(tpm.endorsementKey(), tpm.storageRootKey(), hmacKey(), uri, RANDOM);

        assertThat(tpm.activate(blob).uriData()).isEqualTo(uri);
    }

    private static byte[] concat(List<byte[]> fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fields.forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** A copy of a TPM2B_PUBLIC with other objectAttributes (they follow size, type and nameAlg). */
    private static byte[] withAttributes(byte[] tpm2bPublic, int attributes) {
        byte[] copy = tpm2bPublic.clone();
        copy[6] = (byte) (attributes >>> 24);
        copy[7] = (byte) (attributes >>> 16);
        copy[8] = (byte) (attributes >>> 8);
        copy[9] = (byte) attributes;
        return copy;
    }

    /** An ECC P-256 key with the TCG EK template L-2 layout, as TPM2B_PUBLIC. */
    private static byte[] eccEndorsementKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        ECPublicKey key = (ECPublicKey) generator.generateKeyPair().getPublic();
        ByteArrayOutputStream area = new ByteArrayOutputStream();
        writeU16(area, 0x0023); // TPM_ALG_ECC
        writeU16(area, 0x000B);
        writeU16(area, 0x0003);
        writeU16(area, 0x00B2);
        writeU16(area, SoftwareTpm.EK_POLICY.length);
        area.writeBytes(SoftwareTpm.EK_POLICY);
        writeU16(area, 0x0006); // AES-128-CFB
        writeU16(area, 128);
        writeU16(area, 0x0043);
        writeU16(area, 0x0010); // scheme NULL
        writeU16(area, 0x0003); // NIST P-256
        writeU16(area, 0x0010); // kdf NULL
        writeU16(area, 32);
        area.writeBytes(unsigned(key.getW().getAffineX()));
        writeU16(area, 32);
        area.writeBytes(unsigned(key.getW().getAffineY()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeU16(out, area.size());
        area.writeTo(out);
        return out.toByteArray();
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[32];
        int copy = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
        return out;
    }

    private static void writeU16(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value);
    }
}
