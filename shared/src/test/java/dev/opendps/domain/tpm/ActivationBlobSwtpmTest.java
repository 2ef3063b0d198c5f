package dev.opendps.domain.tpm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.testing.SoftwareTpm;
import dev.opendps.testing.Swtpm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-checks the activation blob against a real TPM 2.0 (swtpm) driven by tpm2-tools, the way a device uses
 * it (dps-protocol.md §2.4): ActivateCredential with the EK under its policy recovers the inner wrapper key,
 * Import + Load of the duplicate under the SRK gives a key whose TPM2_HMAC equals HMAC-SHA-256 with the key the
 * server put in the blob. There is no resource manager, so every tool run is followed by a flush.
 * <pre>
 *   tpm2_createek -c ek.ctx -G rsa -u ek.pub
 *   tpm2_createprimary -C o -g sha256 -G rsa2048:aes128cfb -a restricted|decrypt|fixedtpm|fixedparent|
 *       sensitivedataorigin|userwithauth|noda -c srk.ctx
 *   tpm2_readpublic -c srk.ctx -o srk.pub
 *   tpm2_startauthsession --policy-session -S session.ctx
 *   tpm2_policysecret -S session.ctx -c e
 *   tpm2_activatecredential -c srk.ctx -C ek.ctx -i credential.blob -o certinfo.bin -P session:session.ctx
 *   tpm2_import -C srk.ctx -u idkey.pub -i duplicate.bin -s seed.bin -k inner.key -r idkey.priv
 *   tpm2_load -C srk.ctx -u idkey.pub -r idkey.priv -c idkey.ctx
 *   tpm2_hmac -c idkey.ctx -g sha256 -o tpm.hmac data.bin
 *   tpm2_flushcontext -t; tpm2_flushcontext -l; tpm2_flushcontext -s      (after each of the above)
 * </pre>
 */
class ActivationBlobSwtpmTest {
    /** tpm2-tools' credential file: magic 0xBADCC0DE, version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET. */
    private static final byte[] CREDENTIAL_FILE_HEADER = HexFormat.of().parseHex("BADCC0DE00000001");
    private static final String SRK_ATTRIBUTES =
            "restricted|decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth|noda";
    private static final byte[] URI = "https://opendps.invalid/registrations/swtpm".getBytes(StandardCharsets.UTF_8);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String[] TOOLS = {"tpm2_createek", "tpm2_createprimary", "tpm2_readpublic",
        "tpm2_startauthsession", "tpm2_policysecret", "tpm2_activatecredential", "tpm2_import", "tpm2_load",
        "tpm2_hmac", "tpm2_flushcontext", "tpm2_makecredential"};

    @TempDir
    static Path dir;
    private static Swtpm swtpm;
    private static byte[] ekPublic;
    private static byte[] srkPublic;

    @BeforeAll
    static void createEndorsementAndStorageRootKeys() throws IOException {
        if (!Swtpm.isInstalled(TOOLS)) {
            return; // each test is then skipped (or fails on CI) in requireTools, so reports show it
        }
        swtpm = Swtpm.start();
        tpm("tpm2_createek", "-c", "ek.ctx", "-G", "rsa", "-u", "ek.pub");
        tpm("tpm2_createprimary", "-C", "o", "-g", "sha256", "-G", "rsa2048:aes128cfb", "-a", SRK_ATTRIBUTES,
                "-c", "srk.ctx");
        tpm("tpm2_readpublic", "-c", "srk.ctx", "-o", "srk.pub");
        ekPublic = Files.readAllBytes(dir.resolve("ek.pub"));
        srkPublic = Files.readAllBytes(dir.resolve("srk.pub"));
    }

    @BeforeEach
    void requireTools() {
        Swtpm.requireInstalled(TOOLS);
    }

    @AfterAll
    static void stopSwtpm() {
        if (swtpm != null) {
            swtpm.close();
        }
    }

    @Test
    void theTpmKeysAreTheStandardTemplates() {
        TpmPublic ek = TpmPublic.parse(ekPublic);
        TpmPublic srk = TpmPublic.parse(srkPublic);

        assertThat(ek.objectAttributes()).isEqualTo(SoftwareTpm.EK_ATTRIBUTES);
        assertThat(ek.authPolicy()).isEqualTo(SoftwareTpm.EK_POLICY);
        assertThat(srk.objectAttributes()).isEqualTo(SoftwareTpm.SRK_ATTRIBUTES);
        assertThat(srk.rsaKeyBits()).isEqualTo(2048);
        assertThat(srk.symmetricMode()).isEqualTo(TpmPublic.ALG_CFB);
    }

    @Test
    void theTpmActivatesTheCredentialImportsTheKeyAndSignsWithIt() throws Exception {
        byte[] hmacKey = new byte[32];
        RANDOM.nextBytes(hmacKey);
        List<byte[]> fields = writeFields(ActivationBlob.build(ekPublic, srkPublic, hmacKey, URI, RANDOM));

        byte[] innerWrapKey = activateCredential("credential.blob");

        assertThat(innerWrapKey).hasSize(16);
        assertThat(cfbDecrypt(innerWrapKey, SoftwareTpm.content(fields.get(5)))).isEqualTo(URI);

        Files.write(dir.resolve("inner.key"), innerWrapKey);
        tpm("tpm2_import", "-C", "srk.ctx", "-u", "idkey.pub", "-i", "duplicate.bin", "-s", "seed.bin",
                "-k", "inner.key", "-r", "idkey.priv");
        tpm("tpm2_load", "-C", "srk.ctx", "-u", "idkey.pub", "-r", "idkey.priv", "-c", "idkey.ctx");
        byte[] data = "sr\n1700000000".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve("data.bin"), data);
        tpm("tpm2_hmac", "-c", "idkey.ctx", "-g", "sha256", "-o", "tpm.hmac", "data.bin");

        assertThat(Files.readAllBytes(dir.resolve("tpm.hmac"))).isEqualTo(hmacSha256(hmacKey, data));
    }

    @Test
    void theTpmRefusesATamperedCredentialDuplicateOrPublicArea() throws Exception {
        byte[] hmacKey = new byte[32];
        RANDOM.nextBytes(hmacKey);
        List<byte[]> fields = writeFields(ActivationBlob.build(ekPublic, srkPublic, hmacKey, URI, RANDOM));

        byte[] credential = fields.get(0).clone();
        credential[credential.length - 1] ^= 0x01; // last byte of encIdentity
        Files.write(dir.resolve("tampered.blob"), concat(CREDENTIAL_FILE_HEADER, credential, fields.get(1)));
        assertThat(activateCredentialFails("tampered.blob")).containsIgnoringCase("integrity");

        Files.write(dir.resolve("inner.key"), activateCredential("credential.blob"));
        byte[] duplicate = fields.get(2).clone();
        duplicate[duplicate.length - 1] ^= 0x01;
        Files.write(dir.resolve("tampered-duplicate.bin"), duplicate);
        assertThat(importFails("idkey.pub", "tampered-duplicate.bin")).containsIgnoringCase("integrity");

        byte[] idKeyPublic = fields.get(4).clone();
        idKeyPublic[idKeyPublic.length - 1] ^= 0x01; // unique: changes the name the outer HMAC covers
        Files.write(dir.resolve("tampered-idkey.pub"), idKeyPublic);
        assertThat(importFails("tampered-idkey.pub", "duplicate.bin")).containsIgnoringCase("integrity");
    }

    @Test
    void theCredentialFieldsHaveTheLayoutOfTpm2Makecredential() throws Exception {
        byte[] hmacKey = new byte[32];
        RANDOM.nextBytes(hmacKey);
        writeFields(ActivationBlob.build(ekPublic, srkPublic, hmacKey, URI, RANDOM));
        byte[] secret = new byte[16];
        RANDOM.nextBytes(secret);
        Files.write(dir.resolve("secret.bin"), secret);
        String srkName = HexFormat.of().formatHex(TpmPublic.parse(srkPublic).name());

        tpm("tpm2_makecredential", "-T", "none", "-u", "ek.pub", "-s", "secret.bin", "-n", srkName,
                "-o", "reference.blob");

        byte[] reference = Files.readAllBytes(dir.resolve("reference.blob"));
        byte[] ours = Files.readAllBytes(dir.resolve("credential.blob"));
        assertThat(ours).hasSameSizeAs(reference);
        assertThat(ours).startsWith(CREDENTIAL_FILE_HEADER);
        assertThat(reference).startsWith(CREDENTIAL_FILE_HEADER);
        assertThat(activateCredential("reference.blob")).isEqualTo(secret);
    }

    /** Writes the blob's fields as the files tpm2-tools reads and returns them (TPM2B forms). */
    private static List<byte[]> writeFields(byte[] blob) throws IOException {
        List<byte[]> fields = SoftwareTpm.splitFields(blob);
        Files.write(dir.resolve("credential.blob"), concat(CREDENTIAL_FILE_HEADER, fields.get(0), fields.get(1)));
        Files.write(dir.resolve("duplicate.bin"), fields.get(2)); // TPM2B_PRIVATE
        Files.write(dir.resolve("seed.bin"), fields.get(3)); // TPM2B_ENCRYPTED_SECRET
        Files.write(dir.resolve("idkey.pub"), fields.get(4)); // TPM2B_PUBLIC
        return fields;
    }

    /** ActivateCredential(activateHandle=SRK, keyHandle=EK) under the EK policy, PolicySecret(TPM_RH_ENDORSEMENT). */
    private static byte[] activateCredential(String credentialFile) throws IOException {
        startEkPolicySession();
        tpm("tpm2_activatecredential", "-c", "srk.ctx", "-C", "ek.ctx", "-i", credentialFile, "-o", "certinfo.bin",
                "-P", "session:session.ctx");
        return Files.readAllBytes(dir.resolve("certinfo.bin"));
    }

    private static String activateCredentialFails(String credentialFile) {
        startEkPolicySession();
        return fails("tpm2_activatecredential", "-c", "srk.ctx", "-C", "ek.ctx", "-i", credentialFile,
                "-o", "certinfo.bin", "-P", "session:session.ctx");
    }

    private static void startEkPolicySession() {
        swtpm.run(dir, "tpm2_startauthsession", "--policy-session", "-S", "session.ctx");
        swtpm.run(dir, "tpm2_policysecret", "-S", "session.ctx", "-c", "e");
    }

    private static String importFails(String publicFile, String duplicateFile) {
        return fails("tpm2_import", "-C", "srk.ctx", "-u", publicFile, "-i", duplicateFile, "-s", "seed.bin",
                "-k", "inner.key", "-r", "rejected.priv");
    }

    /** Runs a tool, then flushes what it left loaded. */
    private static void tpm(String... command) {
        try {
            swtpm.run(dir, command);
        } finally {
            swtpm.flush(dir);
        }
    }

    /** Runs a tool that must fail, flushes, and returns its output. */
    private static String fails(String... command) {
        Swtpm.Result result;
        try {
            result = swtpm.execute(dir, command);
        } finally {
            swtpm.flush(dir);
        }
        assertThat(result.exitCode()).as("exit code of %s: %s", command[0], result.output()).isNotZero();
        return result.output();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] cfbDecrypt(byte[] key, byte[] data) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/CFB/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
        return cipher.doFinal(data);
    }

    private static byte[] hmacSha256(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
