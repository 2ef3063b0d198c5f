package dev.opendps.domain;

import java.util.Set;

/** A named pair of keys granting a set of rights on one instance's service API (§4.1). */
public record SharedAccessPolicy(String keyName, String primaryKey, String secondaryKey, Set<AccessRight> rights) {
    public static final String OWNER = "provisioningserviceowner";

    public SharedAccessPolicy {
        rights = Set.copyOf(rights);
    }

    public boolean grants(AccessRight right) {
        return rights.contains(right);
    }

    @Override
    public String toString() {
        return "SharedAccessPolicy[" + keyName + ", rights=" + rights + "]";
    }
}
