package dev.opendps.benchmark.load;

/** Reads one metric's {@code dur} (milliseconds) from a {@code Server-Timing} header, e.g. {@code dps;dur=1.25}. */
final class ServerTiming {

    private ServerTiming() {
    }

    /** The metric's duration in microseconds, or -1 when the header does not carry it. */
    static long durationMicros(String header, String metric) {
        if (header == null) {
            return -1;
        }
        for (String entry : header.split(",")) {
            String[] parts = entry.split(";");
            if (!parts[0].trim().equalsIgnoreCase(metric)) {
                continue;
            }
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].trim();
                if (parameter.regionMatches(true, 0, "dur=", 0, 4)) {
                    try {
                        double millis = Double.parseDouble(unquote(parameter.substring(4).trim()));
                        return millis < 0 ? -1 : Math.round(millis * 1000);
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
        }
        return -1;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
