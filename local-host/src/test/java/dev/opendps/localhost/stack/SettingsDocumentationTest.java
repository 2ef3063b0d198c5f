package dev.opendps.localhost.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.opendps.config.Setting;
import dev.opendps.frontdoor.FrontDoorSetting;
import dev.opendps.localhost.AppSettings;
import dev.opendps.localhost.HostSettings;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every setting the code reads has a line in local.settings.sample.json and in the README's table: the registration
 * core's, the local host's and the protocol front door's (which the local host runs too).
 */
class SettingsDocumentationTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static List<String> settingKeys() throws IllegalAccessException {
        List<String> keys = new ArrayList<>();
        for (Setting setting : Setting.values()) {
            keys.add(setting.key());
        }
        for (Field field : HostSettings.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && ((String) field.get(null)).startsWith("DPS_")) {
                keys.add((String) field.get(null));
            }
        }
        for (FrontDoorSetting setting : FrontDoorSetting.values()) {
            keys.add(setting.key());
        }
        keys.add(AppSettings.SETTINGS_FILE_VARIABLE);
        return keys;
    }

    @Test
    void everySettingIsInTheSampleSettingsFile() throws Exception {
        JsonNode values = new ObjectMapper().readTree(ROOT.resolve("local.settings.sample.json").toFile()).get("Values");
        for (String key : settingKeys()) {
            if (!key.equals(AppSettings.SETTINGS_FILE_VARIABLE)) {
                assertThat(values.has(key)).as(key + " in local.settings.sample.json").isTrue();
            }
        }
    }

    @Test
    void everySettingIsInTheReadme() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (String key : settingKeys()) {
            assertThat(readme).as(key + " in README.md").contains("| `" + key + "` |");
        }
    }
}
