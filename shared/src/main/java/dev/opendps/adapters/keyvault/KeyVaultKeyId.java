package dev.opendps.adapters.keyvault;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A Key Vault key identifier, {@code https://<vault>.vault.azure.net/keys/<name>[/<version>]}, in one normal
 * form: lower-case host, no default port, no trailing slash. Without a version it means "the key's current
 * version"; with one, that version only.
 */
public record KeyVaultKeyId(String vaultUrl, String name, String version) {
    /** Key names: 1–127 letters, digits and dashes (Key Vault's rule). */
    private static final Pattern NAME = Pattern.compile("[0-9A-Za-z-]{1,127}");
    /** Versions: Key Vault's are 32 hex digits; any short run of letters and digits is accepted. */
    private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z]{1,64}");

    public KeyVaultKeyId {
        Objects.requireNonNull(vaultUrl, "vaultUrl");
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a Key Vault key name");
        }
        if (version != null && !VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("'" + version + "' is not a Key Vault key version");
        }
    }

    /**
     * Parses {@code https://<host>[:port]/keys/<name>[/<version>][/]}.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static KeyVaultKeyId parse(String text) {
        String trimmed = text == null ? "" : text.strip();
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + trimmed + "' is not a URL: " + e.getReason());
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("'" + trimmed + "' is not a Key Vault key identifier"
                    + " (https://<vault>.vault.azure.net/keys/<name>[/<version>])");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String[] segments = path.split("/", -1);
        // "", "keys", name[, version]
        if (segments.length < 3 || segments.length > 4 || !segments[0].isEmpty() || !segments[1].equals("keys")) {
            throw new IllegalArgumentException("'" + trimmed + "' is not a Key Vault key identifier"
                    + " (https://<vault>.vault.azure.net/keys/<name>[/<version>])");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        String vault = "https://" + host + (uri.getPort() == -1 || uri.getPort() == 443 ? "" : ":" + uri.getPort());
        return new KeyVaultKeyId(vault, segments[2], segments.length == 4 ? segments[3] : null);
    }

    /** {@code <vault>/keys/<name>}: the key whatever its version. */
    public String keyUrl() {
        return vaultUrl + "/keys/" + name;
    }

    /** The identifier of one version of this key. */
    public KeyVaultKeyId withVersion(String other) {
        return new KeyVaultKeyId(vaultUrl, name, other);
    }

    public boolean pinned() {
        return version != null;
    }

    @Override
    public String toString() {
        return version == null ? keyUrl() : keyUrl() + "/" + version;
    }
}
