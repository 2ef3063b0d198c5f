package dev.opendps.service;

import dev.opendps.domain.LinkedHub;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Linked hubs as configured: IoT Hub connection strings separated by commas, each optionally extended
 * with {@code AllocationWeight=N} and {@code ApplyAllocationPolicy=false} in the same
 * {@code key=value;…} grammar, e.g.
 * {@code HostName=hub1.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=…;AllocationWeight=2}.
 * Only {@code HostName} is required: an entry without a key ({@code HostName=hub2.azure-devices.net}, or with
 * {@code AuthenticationType=ManagedIdentity}) links a hub that DPS reaches with its managed identity.
 */
public final class LinkedHubSettings {
    private LinkedHubSettings() {
    }

    public static List<LinkedHub> parse(String setting) {
        List<LinkedHub> hubs = new ArrayList<>();
        if (setting == null || setting.isBlank()) {
            return hubs;
        }
        for (String entry : setting.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            StringBuilder connection = new StringBuilder();
            for (String part : entry.trim().split(";")) {
                int equals = part.indexOf('=');
                if (equals <= 0) {
                    throw new IllegalArgumentException("A linked hub entry has a part without key=value");
                }
                String key = part.substring(0, equals).trim().toLowerCase(Locale.ROOT);
                fields.put(key, part.substring(equals + 1).trim());
                if (!key.equals("allocationweight") && !key.equals("applyallocationpolicy")) {
                    connection.append(connection.length() == 0 ? "" : ";").append(part.trim());
                }
            }
            String host = fields.get("hostname");
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("Each linked hub needs HostName=…");
            }
            int weight;
            try {
                weight = Integer.parseInt(fields.getOrDefault("allocationweight", "1"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("AllocationWeight of " + host + " must be a whole number");
            }
            boolean apply = !"false".equalsIgnoreCase(fields.getOrDefault("applyallocationpolicy", "true"));
            hubs.add(new LinkedHub(host, weight, apply, connection.toString()));
        }
        return hubs;
    }
}
