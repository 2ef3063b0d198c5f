package dev.opendps.domain;

/** What happens to a device that registers again (§6.4). Both default to true ("migrate"). */
public record ReprovisionPolicy(boolean updateHubAssignment, boolean migrateDeviceData) {
    public static final ReprovisionPolicy DEFAULT = new ReprovisionPolicy(true, true);
}
