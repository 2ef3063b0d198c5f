package dev.opendps.adapters.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.opendps.domain.port.KeyEncryptionKey;
import dev.opendps.domain.port.SecretProtectionException;
import dev.opendps.domain.port.StoreException;
import dev.opendps.wire.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * A key-encryption key kept in a local file (by default {@code <DPS_DATA_DIR>/keys/kek.json}), made on first
 * start with owner-only permissions (POSIX {@code 600}, its folder {@code 700}). The file holds numbered
 * 256-bit AES keys and which one is current:
 * {@code {"current":2,"versions":[{"version":1,"key":"<b64>","createdUtc":"…"},…]}}. Data keys are wrapped
 * with AES key wrap (RFC 3394), which checks integrity on unwrap.
 *
 * <p>{@link #rotate()} adds a version and makes it current; older versions stay, so what they wrapped still
 * opens. The file is replaced atomically; a process that meets a version it does not know re-reads the file
 * once, so processes sharing the file follow a rotation made by another.
 */
public final class LocalKeyFile implements KeyEncryptionKey {
    /** The prefix of this holder's version names: {@code local:1}, {@code local:2}, … */
    public static final String PREFIX = "local:";

    private static final System.Logger LOG = System.getLogger(LocalKeyFile.class.getName());
    private static final int KEY_BYTES = 32;
    private static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> FOLDER_PERMISSIONS = PosixFilePermissions.fromString("rwx------");

    /** How often the file is checked for a rotation made elsewhere (another process or instance). */
    private static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;

    private final Path file;
    private final SecureRandom random = new SecureRandom();
    private volatile Versions versions;
    private volatile Object stamp;
    private volatile long nextCheck;

    private LocalKeyFile(Path file) {
        this.file = file;
        reload();
    }

    /** Reads the key file, creating it with one fresh version if it does not exist. */
    public static LocalKeyFile openOrCreate(Path file) {
        Objects.requireNonNull(file, "file");
        Path absolute = file.toAbsolutePath();
        if (!Files.exists(absolute)) {
            Versions first = new Versions(1, Map.of(1, new Version(freshKey(new SecureRandom()), Instant.now())));
            try {
                createFolder(absolute.getParent());
                writeNew(absolute, first);
                LOG.log(System.Logger.Level.INFO, "Created the key-encryption key file {0}", absolute);
            } catch (FileAlreadyExistsException raced) {
                // Another process created it first: use theirs.
            } catch (IOException e) {
                throw new StoreException("Could not create the key-encryption key file " + absolute + " ("
                        + e.getClass().getSimpleName() + ")", e);
            }
        }
        return new LocalKeyFile(absolute);
    }

    /**
     * Reads the key file if it exists, without creating one: where another holder is current (Key Vault) and the
     * file only serves to read what was sealed before.
     */
    public static Optional<LocalKeyFile> openIfExists(Path file) {
        Path absolute = Objects.requireNonNull(file, "file").toAbsolutePath();
        return Files.exists(absolute) ? Optional.of(new LocalKeyFile(absolute)) : Optional.empty();
    }

    public Path file() {
        return file;
    }

    @Override
    public String description() {
        return "local key file " + file;
    }

    @Override
    public String currentVersion() {
        refreshIfChanged();
        return PREFIX + versions.current();
    }

    @Override
    public WrappedKey wrap(byte[] dataKey) {
        refreshIfChanged();
        Versions snapshot = versions;
        try {
            Cipher cipher = Cipher.getInstance("AESWrap");
            cipher.init(Cipher.WRAP_MODE, snapshot.key(snapshot.current()));
            return new WrappedKey(PREFIX + snapshot.current(), cipher.wrap(new SecretKeySpec(dataKey, "AES")));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES key wrap is not available", e);
        }
    }

    @Override
    public byte[] unwrap(String version, byte[] wrappedKey) {
        int number = number(version);
        SecretKey kek = versions.key(number);
        if (kek == null) {
            kek = reload().key(number); // rotated by another process since this one read the file
            if (kek == null) {
                throw new SecretProtectionException("The key-encryption key version '" + version + "' is not in "
                        + file + ".");
            }
        }
        try {
            Cipher cipher = Cipher.getInstance("AESWrap");
            cipher.init(Cipher.UNWRAP_MODE, kek);
            return cipher.unwrap(wrappedKey, "AES", Cipher.SECRET_KEY).getEncoded();
        } catch (InvalidKeyException e) {
            throw new SecretProtectionException("A data key wrapped under '" + version + "' failed its integrity"
                    + " check: it was altered, or wrapped under another key.");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES key wrap is not available", e);
        }
    }

    private synchronized Versions reload() {
        Object before = stamp(file);
        versions = read(file);
        stamp = before;
        nextCheck = System.nanoTime() + CHECK_INTERVAL_NANOS;
        return versions;
    }

    /** Re-reads the file, at most once a {@link #CHECK_INTERVAL_NANOS}, if it was replaced since it was read. */
    private void refreshIfChanged() {
        if (System.nanoTime() - nextCheck < 0) {
            return;
        }
        synchronized (this) {
            if (System.nanoTime() - nextCheck < 0) {
                return;
            }
            if (Objects.equals(stamp(file), stamp)) {
                nextCheck = System.nanoTime() + CHECK_INTERVAL_NANOS;
            } else {
                reload();
            }
        }
    }

    /** The file's identity and modification time: rotation replaces the file, so either changes. */
    private static Object stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return java.util.List.of(String.valueOf(attributes.fileKey()), attributes.lastModifiedTime());
        } catch (IOException e) {
            return null; // reading it reports the problem
        }
    }

    /**
     * Adds a new version and makes it current: data keys made from now on are wrapped under it (stored ones move to
     * it by a re-wrap pass, or as their documents are next written); every older version stays. Returns the new
     * version's name.
     */
    @Override
    public synchronized String rotate() {
        Versions latest = read(file);
        int next = latest.all().keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        Map<Integer, Version> all = new TreeMap<>(latest.all());
        all.put(next, new Version(freshKey(random), Instant.now()));
        Versions rotated = new Versions(next, all);
        try {
            replace(file, rotated);
        } catch (IOException e) {
            throw new StoreException("Could not write the key-encryption key file " + file + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        versions = rotated;
        stamp = stamp(file);
        LOG.log(System.Logger.Level.INFO, "Key-encryption key rotated to {0}{1}", PREFIX, next);
        return PREFIX + next;
    }

    private static int number(String version) {
        if (version != null && version.startsWith(PREFIX)) {
            try {
                return Integer.parseInt(version.substring(PREFIX.length()));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new SecretProtectionException("The key-encryption key version '" + version + "' is not a local"
                + " key file's (" + PREFIX + "<n>).");
    }

    private static SecretKeySpec freshKey(SecureRandom random) {
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        return new SecretKeySpec(key, "AES");
    }

    private static Versions read(Path file) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new StoreException("Could not read the key-encryption key file " + file + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        Map<Integer, Version> all = new TreeMap<>();
        for (JsonNode v : root.path("versions")) {
            byte[] key = Base64.getDecoder().decode(v.path("key").asText());
            if (key.length != KEY_BYTES) {
                throw new StoreException("The key-encryption key file " + file + " has a version "
                        + v.path("version").asInt() + " that is not a 256-bit key.");
            }
            all.put(v.path("version").asInt(), new Version(new SecretKeySpec(key, "AES"),
                    Instant.parse(v.path("createdUtc").asText())));
        }
        int current = root.path("current").asInt();
        if (!all.containsKey(current)) {
            throw new StoreException("The key-encryption key file " + file + " names current version " + current
                    + ", which it does not hold.");
        }
        return new Versions(current, all);
    }

    private static byte[] document(Versions versions) {
        ObjectNode root = Json.object();
        root.put("current", versions.current());
        ArrayNode list = root.putArray("versions");
        versions.all().forEach((number, version) -> list.addObject()
                .put("version", number)
                .put("key", Base64.getEncoder().encodeToString(version.key().getEncoded()))
                .put("createdUtc", version.created().toString()));
        return Json.bytes(root);
    }

    /** Creates the file from a private temporary one; fails if the file appeared meanwhile. */
    private static void writeNew(Path file, Versions versions) throws IOException {
        Path temporary = writeTemporary(file, versions);
        try {
            Files.createLink(file, temporary); // atomic create-if-absent, unlike a rename
        } catch (UnsupportedOperationException e) {
            Files.move(temporary, file);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void replace(Path file, Versions versions) throws IOException {
        Path temporary = writeTemporary(file, versions);
        try {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static Path writeTemporary(Path file, Versions versions) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        if (posix(file.getParent())) {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS));
        } else {
            Files.createFile(temporary);
            ownerOnly(temporary);
        }
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(document(versions)));
            channel.force(true);
        }
        return temporary;
    }

    private static void createFolder(Path folder) throws IOException {
        if (Files.isDirectory(folder)) {
            return;
        }
        Files.createDirectories(folder);
        if (posix(folder)) {
            Files.setPosixFilePermissions(folder, EnumSet.copyOf(FOLDER_PERMISSIONS));
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Without POSIX permissions (Windows): as close as java.io.File gets to owner-only. */
    private static void ownerOnly(Path path) {
        java.io.File f = path.toFile();
        f.setReadable(false, false);
        f.setWritable(false, false);
        f.setReadable(true, true);
        f.setWritable(true, true);
    }

    private record Version(SecretKeySpec key, Instant created) {
    }

    private record Versions(int current, Map<Integer, Version> all) {
        Versions {
            all = Collections.unmodifiableMap(new TreeMap<>(all));
        }

        SecretKeySpec key(int number) {
            Version version = all.get(number);
            return version == null ? null : version.key();
        }
    }
}
