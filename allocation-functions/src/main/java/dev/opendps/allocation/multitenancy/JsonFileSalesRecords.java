package dev.opendps.allocation.multitenancy;

import dev.opendps.allocation.config.ConfigJson;
import dev.opendps.allocation.config.InvalidDocumentException;
import dev.opendps.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.Optional;

/**
 * The embedded records adapter: one JSON document file ({@link SalesLedgerJson}). Read at start, and again
 * whenever its modification time, size or identity changes (checked on each lookup, one {@code stat}), so an
 * edited or replaced file takes effect without a restart. A file that does not parse leaves the last good
 * records in place, with a warning; a missing file means no records. {@link #replaceAll} writes a temporary
 * file and moves it over the old one, so readers (this process or others sharing the file) see either the old
 * document or the new one.
 */
public final class JsonFileSalesRecords implements SalesRecords, TenantDirectory, SalesRecordsReplacement {
    private static final System.Logger LOG = System.getLogger(JsonFileSalesRecords.class.getName());

    private final Path file;
    private final Object lock = new Object();
    private volatile Loaded current = new Loaded(null, SalesLedger.empty());

    /** What was read, and the file's state when it was read (null: no file). */
    private record Loaded(Stamp stamp, SalesLedger ledger) {
    }

    private record Stamp(FileTime modified, long size, Object fileKey) {
        static Stamp of(Path file) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read the attributes of " + file, e);
            }
        }
    }

    public JsonFileSalesRecords(Path file) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        refreshIfChanged();
    }

    public Path file() {
        return file;
    }

    @Override
    public Optional<Sale> soldAsRegistrationId(String registrationId) {
        return ledger().soldAsRegistrationId(registrationId);
    }

    @Override
    public Optional<Sale> soldAsSerialNumber(String serialNumber) {
        return ledger().soldAsSerialNumber(serialNumber);
    }

    @Override
    public Optional<Tenant> tenant(String tenantId) {
        return ledger().tenant(tenantId);
    }

    /** The records now in force, re-read first if the file changed. */
    public SalesLedger ledger() {
        refreshIfChanged();
        return current.ledger();
    }

    @Override
    public void replaceAll(SalesLedger ledger) throws IOException {
        byte[] document = Json.mapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(SalesLedgerJson.write(ledger)).getBytes(StandardCharsets.UTF_8);
        synchronized (lock) {
            Files.createDirectories(file.getParent());
            Path temporary = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            try {
                Files.write(temporary, document);
                try {
                    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
            current = new Loaded(Stamp.of(file), ledger);
        }
        LOG.log(System.Logger.Level.INFO, () -> "Replaced the multitenancy records in " + file + ": "
                + ledger.tenants().size() + " tenants, " + ledger.sales().size() + " sales");
    }

    private void refreshIfChanged() {
        if (Objects.equals(Stamp.of(file), current.stamp())) {
            return;
        }
        synchronized (lock) {
            Stamp stamp = Stamp.of(file);
            if (Objects.equals(stamp, current.stamp())) {
                return;
            }
            if (stamp == null) {
                LOG.log(System.Logger.Level.INFO, () -> "No multitenancy records file at " + file
                        + ": every device is refused until records are loaded");
                current = new Loaded(null, SalesLedger.empty());
                return;
            }
            try {
                SalesLedger ledger = SalesLedgerJson.read(
                        ConfigJson.parseObject(Files.readString(file), "The multitenancy records file " + file));
                current = new Loaded(stamp, ledger);
                LOG.log(System.Logger.Level.INFO, () -> "Loaded the multitenancy records from " + file + ": "
                        + ledger.tenants().size() + " tenants, " + ledger.sales().size() + " sales");
            } catch (InvalidDocumentException | IOException e) {
                // Kept until the file changes again: a half-written file must not wipe the records in force.
                current = new Loaded(stamp, current.ledger());
                LOG.log(System.Logger.Level.WARNING, () -> "Kept the previous multitenancy records: " + file
                        + " cannot be used: " + e.getMessage());
            }
        }
    }
}
