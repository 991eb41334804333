package io.sysbox.setup.state;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Removal of sysbox-runc's private directory of a container (converted config.json, sysbox.json,
 * records). The CLI's delete, a failed create and the manager after a foreground run all remove
 * it here. It holds regular files only: anything else means the path is not one sysbox-runc
 * made, so nothing is removed and the caller is told why.
 */
public final class PrivateDir {
    private PrivateDir() {}

    /** Removes {@code dir} and its files; absent is fine. */
    public static void remove(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("not removing " + dir + ": not a directory");
            }
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (!Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("not removing " + dir + ": " + entry + " is not a regular file");
                }
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) Files.deleteIfExists(entry);
        }
        Files.deleteIfExists(dir);
    }
}
