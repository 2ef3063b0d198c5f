package dev.opendps.domain.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opendps.domain.ErrorCode;
import dev.opendps.domain.ProvisioningException;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TpmPublicTest {
    private static final byte[] EK_POLICY =
            HexFormat.of().parseHex("837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA");

    private static RSAPublicKey rsaKey;
    private static byte[] ekArea;
    private static byte[] ekBlob;

    /** Big-endian TPM marshalling, written independently of the class under test. */
    private static final class Marshaller {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Marshaller u16(int v) {
            out.write(v >> 8);
            out.write(v);
            return this;
        }

        Marshaller u32(long v) {
            return u16((int) (v >> 16) & 0xFFFF).u16((int) v & 0xFFFF);
        }

        Marshaller tpm2b(byte[] data) {
            u16(data.length);
            out.writeBytes(data);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    private static byte[] unsigned(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        if (raw.length == length) {
            return raw;
        }
        byte[] out = new byte[length];
        if (raw.length > length) {
            System.arraycopy(raw, raw.length - length, out, 0, length);
        } else {
            System.arraycopy(raw, 0, out, length - raw.length, raw.length);
        }
        return out;
    }

    /** The standard RSA-2048 EK template (TCG EK Credential Profile, template L-1) with a real modulus. */
    private static byte[] rsaEkArea(byte[] modulus) {
        return new Marshaller()
                .u16(0x0001).u16(0x000B).u32(0x000300B2L).tpm2b(EK_POLICY)
                .u16(0x0006).u16(128).u16(0x0043) // AES-128-CFB
                .u16(0x0010) // scheme NULL
                .u16(2048).u32(0) // keyBits, exponent
                .tpm2b(modulus)
                .bytes();
    }

    private static byte[] withSize(byte[] area) {
        return new Marshaller().tpm2b(area).bytes();
    }

    private static void assertInvalid(byte[] bytes) {
        assertThatThrownBy(() -> TpmPublic.parse(bytes))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ENDORSEMENT_KEY));
    }

    @BeforeAll
    static void createEk() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        rsaKey = (RSAPublicKey) pair.getPublic();
        ekArea = rsaEkArea(unsigned(rsaKey.getModulus(), 256));
        ekBlob = withSize(ekArea);
    }

    @Test
    void standardRsaEkIsParsed() {
        TpmPublic ek = TpmPublic.parse(ekBlob);

        assertThat(ek.isRsa()).isTrue();
        assertThat(ek.type()).isEqualTo(TpmPublic.ALG_RSA);
        assertThat(ek.nameAlg()).isEqualTo(TpmPublic.ALG_SHA256);
        assertThat(ek.objectAttributes()).isEqualTo(0x000300B2);
        assertThat(ek.authPolicy()).isEqualTo(EK_POLICY);
        assertThat(ek.symmetricAlgorithm()).isEqualTo(TpmPublic.ALG_AES);
        assertThat(ek.symmetricKeyBits()).isEqualTo(128);
        assertThat(ek.symmetricMode()).isEqualTo(TpmPublic.ALG_CFB);
        assertThat(ek.scheme()).isEqualTo(TpmPublic.ALG_NULL);
        assertThat(ek.rsaKeyBits()).isEqualTo(2048);
        assertThat(ek.rsaExponent()).isZero();
        assertThat(ek.publicExponent()).isEqualTo(BigInteger.valueOf(65537));
        assertThat(new BigInteger(1, ek.modulus())).isEqualTo(rsaKey.getModulus());
    }

    @Test
    void ekMarshalledAreaIsTheTpmtPublicWithoutSize() {
        TpmPublic ek = TpmPublic.parse(ekBlob);

        assertThat(ek.marshalledPublicArea()).isEqualTo(ekArea);
        assertThat(ek.tpm2bPublic()).isEqualTo(ekBlob);
    }

    @Test
    void ekNameIsSha256NameAlgPrefixedDigestOfThePublicArea() throws Exception {
        byte[] name = TpmPublic.parse(ekBlob).name();

        assertThat(name).hasSize(2 + 32);
        assertThat(Arrays.copyOfRange(name, 0, 2)).isEqualTo(new byte[] {0x00, 0x0B});
        assertThat(Arrays.copyOfRange(name, 2, 34)).isEqualTo(MessageDigest.getInstance("SHA-256").digest(ekArea));
    }

    @Test
    void ekPublicKeyEqualsTheGeneratedRsaKey() {
        RSAPublicKey key = (RSAPublicKey) TpmPublic.parse(ekBlob).publicKey();

        assertThat(key.getModulus()).isEqualTo(rsaKey.getModulus());
        assertThat(key.getPublicExponent()).isEqualTo(BigInteger.valueOf(65537));
        assertThat(key.getEncoded()).isEqualTo(rsaKey.getEncoded());
    }

    @Test
    void bareTpmtPublicIsAccepted() {
        assertThat(TpmPublic.parse(ekArea)).isEqualTo(TpmPublic.parse(ekBlob));
    }

    @Test
    void base64EkIsParsed() {
        assertThat(TpmPublic.parseBase64(Base64.getEncoder().encodeToString(ekBlob)).marshalledPublicArea())
                .isEqualTo(ekArea);
    }

    @Test
    void badBase64IsInvalidEndorsementKey() {
        assertThatThrownBy(() -> TpmPublic.parseBase64("not*base64"))
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ENDORSEMENT_KEY));
    }

    @Test
    void everyTruncationIsRejected() {
        for (int length = 0; length < ekBlob.length; length++) {
            assertInvalid(Arrays.copyOf(ekBlob, length));
        }
    }

    @Test
    void trailingByteIsRejected() {
        assertInvalid(Arrays.copyOf(ekBlob, ekBlob.length + 1));
    }

    @Test
    void trailingByteCoveredBySizeIsRejected() {
        assertInvalid(withSize(Arrays.copyOf(ekArea, ekArea.length + 1)));
    }

    @Test
    void sizeFieldLargerThanDataIsRejected() {
        byte[] blob = ekBlob.clone();
        blob[1]++;

        assertThatThrownBy(() -> TpmPublic.parse(blob))
                .isInstanceOfSatisfying(ProvisioningException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ENDORSEMENT_KEY);
                    assertThat(e.getMessage()).contains("size field");
                });
    }

    @Test
    void modulusShorterThanKeyBitsIsRejected() {
        assertInvalid(withSize(rsaEkArea(new byte[255])));
    }

    @Test
    void unsupportedObjectTypeIsRejected() {
        byte[] area = ekArea.clone();
        area[1] = 0x25; // SYMCIPHER

        assertInvalid(withSize(area));
    }

    @Test
    void nullSymmetricRsaKeyWithSigningSchemeIsParsed() {
        byte[] area = new Marshaller()
                .u16(0x0001).u16(0x000B).u32(0x00040072L).tpm2b(new byte[0])
                .u16(0x0010) // symmetric NULL
                .u16(0x0014).u16(0x000B) // RSASSA with SHA-256
                .u16(2048).u32(65537)
                .tpm2b(unsigned(rsaKey.getModulus(), 256))
                .bytes();

        TpmPublic key = TpmPublic.parse(withSize(area));

        assertThat(key.symmetricAlgorithm()).isEqualTo(TpmPublic.ALG_NULL);
        assertThat(key.scheme()).isEqualTo(TpmPublic.ALG_RSASSA);
        assertThat(key.schemeHashAlg()).isEqualTo(TpmPublic.ALG_SHA256);
        assertThat(key.publicExponent()).isEqualTo(BigInteger.valueOf(65537));
        assertThat(key.authPolicy()).isEmpty();
    }

    @Test
    void eccP256EkIsParsedWithPublicKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        ECPublicKey ecKey = (ECPublicKey) generator.generateKeyPair().getPublic();
        byte[] area = new Marshaller()
                .u16(0x0023).u16(0x000B).u32(0x000300B2L).tpm2b(EK_POLICY)
                .u16(0x0006).u16(128).u16(0x0043)
                .u16(0x0010) // scheme NULL
                .u16(0x0003) // NIST P-256
                .u16(0x0010) // kdf NULL
                .tpm2b(unsigned(ecKey.getW().getAffineX(), 32))
                .tpm2b(unsigned(ecKey.getW().getAffineY(), 32))
                .bytes();

        TpmPublic ek = TpmPublic.parse(withSize(area));

        assertThat(ek.isEcc()).isTrue();
        assertThat(ek.isRsa()).isFalse();
        assertThat(ek.eccCurve()).isEqualTo(TpmPublic.ECC_NIST_P256);
        assertThat(ek.kdfScheme()).isEqualTo(TpmPublic.ALG_NULL);
        assertThat(new BigInteger(1, ek.eccX())).isEqualTo(ecKey.getW().getAffineX());
        assertThat(ek.publicKey().getEncoded()).isEqualTo(ecKey.getEncoded());
        assertThat(ek.name()).hasSize(34);
    }

    @Test
    void eccPointOffTheCurveHasNoPublicKey() {
        byte[] area = new Marshaller()
                .u16(0x0023).u16(0x000B).u32(0x000300B2L).tpm2b(EK_POLICY)
                .u16(0x0006).u16(128).u16(0x0043)
                .u16(0x0010).u16(0x0003).u16(0x0010)
                .tpm2b(unsigned(BigInteger.ONE, 32)).tpm2b(unsigned(BigInteger.TWO, 32))
                .bytes();
        TpmPublic ek = TpmPublic.parse(withSize(area));

        assertThatThrownBy(ek::publicKey)
                .isInstanceOfSatisfying(ProvisioningException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_ENDORSEMENT_KEY));
    }

    @Test
    void keyedHashHmacObjectIsParsed() throws Exception {
        byte[] unique = MessageDigest.getInstance("SHA-256").digest(new byte[64]);
        byte[] area = new Marshaller()
                .u16(0x0008).u16(0x000B).u32(0x00040440L).tpm2b(new byte[32])
                .u16(0x0005).u16(0x000B) // HMAC with SHA-256
                .tpm2b(unique)
                .bytes();

        TpmPublic key = TpmPublic.parse(withSize(area));

        assertThat(key.type()).isEqualTo(TpmPublic.ALG_KEYEDHASH);
        assertThat(key.scheme()).isEqualTo(TpmPublic.ALG_HMAC);
        assertThat(key.schemeHashAlg()).isEqualTo(TpmPublic.ALG_SHA256);
        assertThat(key.keyedHashUnique()).isEqualTo(unique);
        assertThat(key.marshalledPublicArea()).isEqualTo(area);
    }

    @Test
    void sha1AndSha384NamesHaveTheirDigestLengths() {
        byte[] area = ekArea.clone();
        area[3] = 0x04;
        assertThat(TpmPublic.parse(area).name()).hasSize(2 + 20).startsWith(0x00, 0x04);
        area[3] = 0x0C;
        assertThat(TpmPublic.parse(area).name()).hasSize(2 + 48).startsWith(0x00, 0x0C);
    }

    @Test
    void emptyOrNullInputIsRejected() {
        assertInvalid(new byte[0]);
        assertInvalid(null);
    }
}
