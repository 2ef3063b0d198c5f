package dev.opendps.domain.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * KDFa against the SHA-256 known answer of the TPM 2.0 reference implementation's KDF self-test
 * (KdfTestData.h: key, label "KDFSELFTESTLABEL", two 8-byte contexts, 160 bits). The use of KDFa inside
 * MakeCredential and duplication is cross-checked against a real TPM in ActivationBlobSwtpmTest.
 */
class KdfaTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] KEY = HEX.parseHex("271FA08BBDC5060EC3DFA928FF9B73123A12DA0C");
    private static final byte[] CONTEXT_U = HEX.parseHex("CE244F395DCA7391");
    private static final byte[] CONTEXT_V = HEX.parseHex("DA504031DDF12E83");
    private static final byte[] EXPECTED_160 = HEX.parseHex("bb0259e1c8ba607e6a2cd704b69a902e9ade84c4");

    @Test
    void matchesTheReferenceImplementationSelfTestVector() {
        assertThat(Kdfa.sha256(KEY, "KDFSELFTESTLABEL", CONTEXT_U, CONTEXT_V, 160)).isEqualTo(EXPECTED_160);
    }

    @Test
    void aLabelThatAlreadyEndsWithZeroIsNotTerminatedTwice() {
        assertThat(Kdfa.sha256(KEY, "KDFSELFTESTLABEL\0", CONTEXT_U, CONTEXT_V, 160)).isEqualTo(EXPECTED_160);
    }

    @Test
    void theLengthIsPartOfTheInputSoAShorterOutputIsNotAPrefix() {
        byte[] bits128 = Kdfa.sha256(KEY, "KDFSELFTESTLABEL", CONTEXT_U, CONTEXT_V, 128);

        assertThat(bits128).hasSize(16);
        assertThat(bits128).isNotEqualTo(Arrays.copyOf(EXPECTED_160, 16));
    }

    @Test
    void outputsLongerThanOneHmacBlockUseSeveralCounterValues() {
        byte[] bits640 = Kdfa.sha256(KEY, "STORAGE", CONTEXT_U, new byte[0], 640);

        assertThat(bits640).hasSize(80);
        assertThat(Arrays.copyOfRange(bits640, 0, 32)).isNotEqualTo(Arrays.copyOfRange(bits640, 32, 64));
    }

    @Test
    void unusedHighOrderBitsOfTheFirstByteAreCleared() {
        for (int bits = 153; bits < 160; bits++) {
            byte[] out = Kdfa.sha256(KEY, "KDFSELFTESTLABEL", CONTEXT_U, CONTEXT_V, bits);

            assertThat(out).hasSize(20);
            assertThat(out[0] & 0xFF).isLessThan(1 << (bits % 8));
        }
    }

    @Test
    void rejectsAnEmptyKeyOrLabelAndOutOfRangeLengths() {
        assertThatThrownBy(() -> Kdfa.sha256(new byte[0], "STORAGE", new byte[0], new byte[0], 128))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key");
        assertThatThrownBy(() -> Kdfa.sha256(KEY, "", new byte[0], new byte[0], 128))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label");
        assertThatThrownBy(() -> Kdfa.sha256(KEY, "STORAGE", new byte[0], new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bits");
    }
}
