package dev.opendps.testing;

import static org.mockito.Mockito.mockStatic;

import com.microsoft.azure.sdk.iot.provisioning.security.exceptions.SecurityProviderException;
import com.microsoft.azure.sdk.iot.provisioning.security.hsm.SecurityProviderTPMHsm;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.mockito.MockedStatic;
import tss.Tpm;
import tss.TpmDeviceTcp;
import tss.TpmFactory;

/**
 * Points the official Java TPM provider ({@code tpm-provider}, {@code SecurityProviderTPMHsm}) at a {@link Swtpm}:
 * the provider always opens the platform TPM, so {@code TpmFactory.platformTpm()} is mocked (Mockito static
 * mocking, in the thread that creates this) to connect to swtpm instead (local-components.md). swtpm serves one
 * connection at a time and a provider never closes its own, so each new provider takes over from the last, after
 * the objects the last one left loaded are flushed (there is no resource manager in between).
 */
public final class SwtpmPlatformTpm implements AutoCloseable {
    private final Swtpm swtpm;
    private final Path workDirectory;
    private final MockedStatic<TpmFactory> factory;
    private Tpm connection;

    private SwtpmPlatformTpm(Swtpm swtpm, Path workDirectory) {
        this.swtpm = swtpm;
        this.workDirectory = workDirectory;
        this.factory = mockStatic(TpmFactory.class);
        // Stubbing a static method calls it once; with a plain mock that call does nothing.
        factory.when(TpmFactory::platformTpm).thenAnswer(call -> connect());
    }

    /** From now on, in this thread, {@code TpmFactory.platformTpm()} connects to {@code swtpm}. */
    public static SwtpmPlatformTpm redirect(Swtpm swtpm, Path workDirectory) {
        return new SwtpmPlatformTpm(swtpm, workDirectory);
    }

    /**
     * The official TPM security provider for {@code registrationId} (on the redirected TPM), trusting {@code trust}
     * through the SDK's own extension point, its SSL context.
     */
    public static SecurityProviderTPMHsm device(String registrationId, SSLContext trust)
            throws SecurityProviderException {
        return new SecurityProviderTPMHsm(registrationId) {
            @Override
            public SSLContext getSSLContext() {
                return trust;
            }
        };
    }

    /** What {@code TpmFactory.remoteTpm} does, written out because the whole factory is mocked. */
    private synchronized Tpm connect() throws Exception {
        if (connection != null) {
            connection.close();
            swtpm.flush(workDirectory);
        }
        TpmDeviceTcp device = new TpmDeviceTcp(swtpm.host(), swtpm.port());
        if (!device.connect()) {
            throw new IllegalStateException("swtpm does not answer on " + swtpm.host() + ":" + swtpm.port());
        }
        Tpm tpm = new Tpm();
        tpm._setDevice(device);
        connection = tpm;
        return tpm;
    }

    /** Ends the redirection and closes the last connection (swtpm itself is the caller's to close). */
    @Override
    public synchronized void close() throws Exception {
        factory.close();
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
