package dev.opendps.allocation.solution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.allocation.config.ConfigJson;
import dev.opendps.allocation.config.InvalidDocumentException;
import dev.opendps.allocation.webhook.InitialTwin;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The solutions of {@code ALLOCATION_SOLUTIONS}, one entry per solution:
 * <pre>
 * {"kitchen": {"hubs": ["toasters-hub.azure-devices.net"], "deviceTypes": ["toaster"],
 *              "registrationIdPrefixes": ["toaster-"], "enrollmentGroups": ["contoso-toasters"],
 *              "initialTwin": {"tags": {…}, "properties": {"desired": {…}}}, "payload": {…}}}
 * </pre>
 * Every solution needs a hub; a device type, prefix or enrollment group may belong to one solution only.
 */
public final class SolutionCatalog {
    private final Map<String, Solution> solutions = new LinkedHashMap<>();
    private final Map<String, Solution> byDeviceType = new HashMap<>();
    private final Map<String, Solution> byPrefix = new HashMap<>();
    private final Map<String, Solution> byEnrollmentGroup = new HashMap<>();

    public SolutionCatalog(Collection<Solution> solutions) {
        for (Solution solution : solutions) {
            if (solution.hubs().isEmpty()) {
                throw new InvalidDocumentException("ALLOCATION_SOLUTIONS." + solution.name() + " has no hubs");
            }
            this.solutions.put(solution.name(), solution);
            solution.deviceTypes().forEach(type -> claim(byDeviceType, key(type), solution, "device type"));
            solution.registrationIdPrefixes().forEach(prefix -> claim(byPrefix, key(prefix), solution, "prefix"));
            solution.enrollmentGroups().forEach(group -> claim(byEnrollmentGroup, group, solution, "enrollment group"));
        }
    }

    public static SolutionCatalog empty() {
        return new SolutionCatalog(List.of());
    }

    /** Reads the setting's JSON object (null: no solutions). */
    public static SolutionCatalog read(ObjectNode document) {
        if (document == null) {
            return empty();
        }
        List<Solution> solutions = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = document.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String where = "ALLOCATION_SOLUTIONS." + field.getKey();
            JsonNode node = field.getValue();
            if (!node.isObject()) {
                throw new InvalidDocumentException(where + " must be a JSON object");
            }
            solutions.add(new Solution(field.getKey(),
                    ConfigJson.strings(node, "hubs", where),
                    ConfigJson.strings(node, "deviceTypes", where),
                    ConfigJson.strings(node, "registrationIdPrefixes", where),
                    ConfigJson.strings(node, "enrollmentGroups", where),
                    InitialTwin.fromConfig(node.get("initialTwin"), where + ".initialTwin"),
                    ConfigJson.object(node, "payload", where)));
        }
        return new SolutionCatalog(solutions);
    }

    public boolean isEmpty() {
        return solutions.isEmpty();
    }

    public Optional<Solution> byDeviceType(String deviceType) {
        return Optional.ofNullable(byDeviceType.get(key(deviceType)));
    }

    /** The solution of the longest prefix of {@code registrationId}. */
    public Optional<Solution> byRegistrationIdPrefix(String registrationId) {
        String id = key(registrationId);
        return byPrefix.entrySet().stream()
                .filter(entry -> id.startsWith(entry.getKey()))
                .max(Comparator.comparingInt(entry -> entry.getKey().length()))
                .map(Map.Entry::getValue);
    }

    public Optional<Solution> byEnrollmentGroup(String enrollmentGroupId) {
        return Optional.ofNullable(byEnrollmentGroup.get(enrollmentGroupId));
    }

    private static void claim(Map<String, Solution> index, String key, Solution solution, String what) {
        Solution previous = index.putIfAbsent(key, solution);
        if (previous != null && previous != solution) {
            throw new InvalidDocumentException("The " + what + " '" + key + "' belongs to both '" + previous.name()
                    + "' and '" + solution.name() + "' in ALLOCATION_SOLUTIONS");
        }
    }

    private static String key(String value) {
        return value.trim().toLowerCase(Locale.ROOT);
    }
}
