package dev.opendps.localhost.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Azure deployment (infra/main.bicep), the sample settings and the README agree on the settings the apps read.
 *
 * <p>The settings are read from the enums' source files as text ({@code KEY_NAME("DPS_…", "default")}), because
 * {@code AllocationSetting} lives in allocation-functions, which is not on this module's classpath, and so that the
 * check follows the source even when the installed opendps-shared jar is older.
 *
 * <p>The Bicep is parsed just as simply: the app settings of each app are the {@code KEY: value} lines of the object
 * variable {@code deviceAppSettings} or {@code allocationAppSettings} in main.bicep, from the line that opens it
 * ({@code var deviceAppSettings = } and an opening brace) to the next line holding only a closing brace, comment lines
 * skipped. Keys written as {@code name: 'KEY'} (the array form of app settings) are
 * accepted too, should the templates move to it.
 */
class InfraSettingsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path MAIN_BICEP = ROOT.resolve("infra/main.bicep");

    private static final Pattern ENUM_KEY = Pattern.compile("^\\s+[A-Z][A-Z0-9_]*\\(\"([A-Z][A-Z0-9_]*)\"", Pattern.MULTILINE);
    private static final Pattern BICEP_KEY = Pattern.compile("^\\s*(?:'?([A-Za-z][A-Za-z0-9_]*)'?\\s*:|name:\\s*'([A-Za-z][A-Za-z0-9_]*)')");

    private static List<String> enumKeys(String sourceFile) throws IOException {
        Matcher matcher = ENUM_KEY.matcher(Files.readString(ROOT.resolve(sourceFile)));
        List<String> keys = new ArrayList<>();
        while (matcher.find()) {
            keys.add(matcher.group(1));
        }
        assertThat(keys).as("settings found in " + sourceFile).isNotEmpty();
        return keys;
    }

    private static List<String> settingKeys() throws IOException {
        return enumKeys("shared/src/main/java/dev/opendps/config/Setting.java");
    }

    private static List<String> frontDoorSettingKeys() throws IOException {
        return enumKeys("frontdoor/src/main/java/dev/opendps/frontdoor/FrontDoorSetting.java");
    }

    private static List<String> allocationSettingKeys() throws IOException {
        return enumKeys("allocation-functions/src/main/java/dev/opendps/allocation/config/AllocationSetting.java");
    }

    /** The keys of the object variable {@code variable} of main.bicep (comment lines skipped). */
    static Set<String> bicepSettings(String variable) throws IOException {
        List<String> lines = Files.readAllLines(MAIN_BICEP);
        int start = lines.indexOf("var " + variable + " = {");
        assertThat(start).as("'var " + variable + " = {' in " + MAIN_BICEP).isNotNegative();
        Set<String> keys = new LinkedHashSet<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.equals("}")) {
                return keys;
            }
            Matcher matcher = BICEP_KEY.matcher(line);
            if (!line.trim().startsWith("//") && matcher.find()) {
                keys.add(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
            }
        }
        throw new AssertionError("no closing '}' for " + variable + " in " + MAIN_BICEP);
    }

    private static boolean looksLikeOurs(String key) {
        return key.startsWith("DPS_") || key.startsWith("ALLOCATION_");
    }

    @Test
    void theDeviceAppGetsEverySetting() throws IOException {
        assertThat(bicepSettings("deviceAppSettings")).containsAll(settingKeys());
    }

    /** The front door's container gets the device app's settings (the same core) plus every front door setting. */
    @Test
    void theFrontDoorGetsEveryFrontDoorSettingOnTopOfTheDeviceAppsSettings() throws IOException {
        assertThat(bicepSettings("frontDoorSettings")).containsExactlyInAnyOrderElementsOf(frontDoorSettingKeys());
        assertThat(Files.readString(MAIN_BICEP)).contains("settings: union(deviceAppSettings, frontDoorSettings");
    }

    @Test
    void theAllocationAppGetsEveryAllocationSettingAndItsDataDirectory() throws IOException {
        assertThat(bicepSettings("allocationAppSettings")).containsAll(allocationSettingKeys()).contains("DPS_DATA_DIR");
    }

    @Test
    void everyOfOurSettingsInTheBicepIsARealSetting() throws IOException {
        Set<String> known = new LinkedHashSet<>(settingKeys());
        known.addAll(allocationSettingKeys());
        known.addAll(frontDoorSettingKeys());
        for (String variable : List.of("deviceAppSettings", "allocationAppSettings", "frontDoorSettings")) {
            for (String key : bicepSettings(variable)) {
                if (looksLikeOurs(key)) {
                    assertThat(known).as(key + " in " + variable + " is a setting the code reads").contains(key);
                }
            }
        }
    }

    @Test
    void theLocalHostsOwnSettingsStayOutOfAzure() throws IOException {
        for (String variable : List.of("deviceAppSettings", "allocationAppSettings", "frontDoorSettings")) {
            assertThat(bicepSettings(variable)).noneMatch(key -> key.startsWith("DPS_LOCAL_"));
        }
    }

    @Test
    void everyAllocationSettingIsInTheSampleSettingsFilesAndTheReadme() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode root = json.readTree(ROOT.resolve("local.settings.sample.json").toFile()).get("Values");
        JsonNode allocation = json.readTree(ROOT.resolve("allocation-functions/local.settings.sample.json").toFile())
                .get("Values");
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (String key : allocationSettingKeys()) {
            assertThat(root.has(key)).as(key + " in local.settings.sample.json").isTrue();
            assertThat(allocation.has(key)).as(key + " in allocation-functions/local.settings.sample.json").isTrue();
            assertThat(readme).as(key + " in README.md").contains("| `" + key + "` |");
        }
    }

    @Test
    void everySettingIsInTheSampleSettingsFileAndTheReadme() throws IOException {
        JsonNode values = new ObjectMapper().readTree(ROOT.resolve("local.settings.sample.json").toFile()).get("Values");
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (String key : settingKeys()) {
            assertThat(values.has(key)).as(key + " in local.settings.sample.json").isTrue();
            assertThat(readme).as(key + " in README.md").contains("| `" + key + "` |");
        }
    }

    @Test
    void theParsersFindWhatTheyShould() throws IOException {
        // Guards the regular expressions: a parser that finds nothing would make the checks above pass vacuously.
        assertThat(settingKeys()).contains("DPS_STORE", "DPS_MANAGED_IDENTITY_CLIENT_ID");
        assertThat(allocationSettingKeys()).contains("ALLOCATION_SOLUTIONS").allMatch(key -> key.startsWith("ALLOCATION_"));
        assertThat(bicepSettings("deviceAppSettings")).contains("DPS_STORE").doesNotContain("FUNCTIONS_WORKER_RUNTIME");
        assertThat(frontDoorSettingKeys()).contains("DPS_MQTT_PORT", "DPS_FRONTDOOR_TLS_KEY_FILE");
    }
}
