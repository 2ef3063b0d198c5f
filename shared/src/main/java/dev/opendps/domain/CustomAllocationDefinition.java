package dev.opendps.domain;

/** The webhook a {@code custom} allocation calls (§4.4, §5). */
public record CustomAllocationDefinition(String webhookUrl, String apiVersion) {
    @Override
    public String toString() {
        // The URL usually carries a function key in its query: never print it.
        return "CustomAllocationDefinition[apiVersion=" + apiVersion + "]";
    }
}
