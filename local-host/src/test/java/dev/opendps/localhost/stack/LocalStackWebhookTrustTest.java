package dev.opendps.localhost.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opendps.config.Setting;
import dev.opendps.localhost.AppSettings;
import dev.opendps.localhost.tls.LocalCertificateAuthority;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custom allocation webhooks served by the local host itself are called over its HTTPS: function code
 * trusts the host's own CA unless {@code DPS_CUSTOM_ALLOCATION_CA_FILE} says otherwise.
 */
@ExtendWith(SettingPropertiesRestored.class)
class LocalStackWebhookTrustTest {
    private static final String KEY = Setting.CUSTOM_ALLOCATION_CA_FILE.key();

    @TempDir
    Path dir;

    @Test
    void functionCodeTrustsTheHostsOwnCaByDefault() throws Exception {
        try (LocalStack stack = start(Map.of())) {
            assertThat(System.getProperty(KEY)).isEqualTo(stack.host().caCertificatePath().toString());
            assertThat(stack.host().caCertificatePath()).exists();
        }
    }

    @Test
    void aConfiguredCaFileIsKept() throws Exception {
        Path own = new LocalCertificateAuthority(dir.resolve("elsewhere")).ensure(List.of()).caCertificateFile();

        try (LocalStack stack = start(Map.of(KEY, own.toString()))) {
            assertThat(System.getProperty(KEY)).isEqualTo(own.toString());
        }
    }

    private LocalStack start(Map<String, String> more) throws Exception {
        Map<String, String> settings = new HashMap<>(more);
        settings.put("DPS_LOCAL_PORT", "0");
        settings.put("DPS_LOCAL_DATA_DIR", dir.resolve("data").toString());
        // No MQTT or AMQP here: their listeners stay off rather than take the well-known ports.
        settings.put("DPS_MQTT_PORT", "0");
        settings.put("DPS_AMQP_PORT", "0");
        settings.put("DPS_WEBSOCKET_PORT", "0");
        return LocalStack.start(AppSettings.of(settings), dir);
    }
}
