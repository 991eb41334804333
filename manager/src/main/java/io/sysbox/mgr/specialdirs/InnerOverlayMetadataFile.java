package io.sysbox.mgr.specialdirs;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * {@value InnerOverlayMetadata#FILE_NAME} at the top of a special dir's copy in a rootfs:
 * written at copy-back, taken (read and deleted, so inner software never sees it) at the copy
 * into a new special dir.
 */
final class InnerOverlayMetadataFile {
    /** Image content is untrusted: a bigger file (some 400,000 entries) is not read. */
    private static final long MAX_SIZE = 64L << 20;

    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Writes metadata into dir (replacing an older file), readable by root only. */
    void write(Path dir, InnerOverlayMetadata metadata) throws IOException {
        Path file = dir.resolve(InnerOverlayMetadata.FILE_NAME);
        TreeRemover.remove(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, json.writeValueAsBytes(metadata), StandardOpenOption.TRUNCATE_EXISTING);
    }

    /**
     * The metadata in dir, whose file is deleted; empty when there is none.
     *
     * @throws IOException the file cannot be read, or is not what this class writes (it is deleted all the same)
     */
    Optional<InnerOverlayMetadata> take(Path dir) throws IOException {
        Path file = dir.resolve(InnerOverlayMetadata.FILE_NAME);
        FileStat stat = FileStat.ifExists(file);
        if (stat == null) return Optional.empty();
        try {
            if (!stat.isRegular()) throw new IOException(file + " is not a regular file");
            if (stat.size() > MAX_SIZE) {
                throw new IOException(file + " has " + stat.size() + " bytes, more than the " + MAX_SIZE + " read");
            }
            InnerOverlayMetadata metadata;
            try {
                metadata = json.readValue(Files.readAllBytes(file), InnerOverlayMetadata.class);
            } catch (JacksonException e) {
                throw new IOException(file + " is not inner overlay metadata: " + e.getOriginalMessage(), e);
            }
            if (metadata.version() != InnerOverlayMetadata.VERSION) {
                throw new IOException(file + " is of version " + metadata.version() + "; this sysbox-mgr reads version "
                        + InnerOverlayMetadata.VERSION);
            }
            return Optional.of(metadata);
        } finally {
            TreeRemover.remove(file);
        }
    }
}
