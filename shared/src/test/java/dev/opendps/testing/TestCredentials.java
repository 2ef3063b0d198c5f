package dev.opendps.testing;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Real credentials for tests: self-signed certificates and TPM endorsement keys in their wire forms. */
public final class TestCredentials {
    private TestCredentials() {
    }

    /** A self-signed EC certificate with this common name, as PEM; its RDNs are in the usual order (C first). */
    public static String selfSignedCertificatePem(String commonName) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("C=US, O=OpenDPS Tests, CN=" + commonName);
            Instant now = Instant.now();
            X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(365))), name,
                    keys.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            String base64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(holder.getEncoded());
            return "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n";
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An RSA-2048 endorsement key as a TPM2B_PUBLIC with the standard EK template (TCG EK profile),
     * base64 — what a TPM enrollment holds and what devices send (dps-protocol.md §2.4).
     */
    public static String endorsementKeyBase64() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            RSAPublicKey key = (RSAPublicKey) generator.generateKeyPair().getPublic();
            byte[] modulus = unsigned(key.getModulus(), 256);
            ByteArrayOutputStream area = new ByteArrayOutputStream();
            u16(area, 0x0001);                 // TPM_ALG_RSA
            u16(area, 0x000B);                 // nameAlg SHA-256
            u32(area, 0x000300B2);             // objectAttributes of the EK template
            byte[] policy = HexFormat.of().parseHex("837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA");
            u16(area, policy.length);
            area.write(policy);
            u16(area, 0x0006);                 // symmetric AES
            u16(area, 128);
            u16(area, 0x0043);                 // CFB
            u16(area, 0x0010);                 // scheme NULL
            u16(area, 2048);
            u32(area, 0);                      // default exponent
            u16(area, modulus.length);
            area.write(modulus);
            byte[] tpmt = area.toByteArray();
            ByteArrayOutputStream tpm2b = new ByteArrayOutputStream();
            u16(tpm2b, tpmt.length);
            tpm2b.write(tpmt);
            return Base64.getEncoder().encodeToString(tpm2b.toByteArray());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] unsigned(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }

    private static void u16(ByteArrayOutputStream out, int value) {
        out.write((value >> 8) & 0xFF);
        out.write(value & 0xFF);
    }

    private static void u32(ByteArrayOutputStream out, int value) {
        u16(out, value >>> 16);
        u16(out, value & 0xFFFF);
    }
}
