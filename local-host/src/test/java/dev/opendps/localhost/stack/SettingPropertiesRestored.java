package dev.opendps.localhost.stack;

import dev.opendps.config.Setting;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The local stack publishes settings as system properties (function code reads them there); tests that start it
 * put every {@link Setting}'s property back as it was, so that one test's settings do not leak into the next.
 */
final class SettingPropertiesRestored implements BeforeEachCallback, AfterEachCallback {
    private final Map<String, String> saved = new HashMap<>();

    @Override
    public void beforeEach(ExtensionContext context) {
        saved.clear();
        for (Setting setting : Setting.values()) {
            saved.put(setting.key(), System.getProperty(setting.key()));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        saved.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }
}
