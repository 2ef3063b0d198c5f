package dev.opendps.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class SwtpmTest {
    @Test
    void aMissingProgramSkipsTheTestOrFailsItOnCi() {
        Class<? extends Throwable> expected = "true".equals(System.getenv("CI"))
                ? AssertionFailedError.class : TestAbortedException.class;

        assertThatThrownBy(() -> Swtpm.requireInstalled("opendps-no-such-program"))
                .isInstanceOf(expected)
                .hasMessageContaining("opendps-no-such-program")
                .hasMessageContaining("swtpm swtpm-tools tpm2-tools");
    }

    @Test
    void startsOnLoopbackAndCloseStopsIt() {
        Swtpm.requireInstalled();
        Swtpm swtpm = Swtpm.start();
        int port = swtpm.port();
        try {
            assertThat(swtpm.tcti()).isEqualTo("swtpm:host=127.0.0.1,port=" + port);
            assertThat(accepts(port)).isTrue();
        } finally {
            swtpm.close();
        }

        assertThat(accepts(port)).isFalse();
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
