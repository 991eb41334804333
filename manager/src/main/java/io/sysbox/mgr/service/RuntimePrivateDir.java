package io.sysbox.mgr.service;

import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The runtime's per-container directory (converted config.json, sysbox.json), removed by the
 * manager when a foreground run ends, since the runtime has become runc and is gone by then.
 * It holds regular files only; anything else means the path is not what the runtime gave,
 * so nothing is removed.
 */
final class RuntimePrivateDir {
    private RuntimePrivateDir() {}

    static void remove(String path, Logger log) {
        if (path == null || path.isEmpty()) return;
        Path dir = Path.of(path);
        if (!dir.isAbsolute() || dir.getNameCount() < 2
                || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (!Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                    log.warn("not removing runtime directory {}: {} is not a regular file", dir, entry);
                    return;
                }
            }
        } catch (IOException e) {
            log.warn("not removing runtime directory {}: {}", dir, e.getMessage());
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) Files.deleteIfExists(entry);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            log.warn("removing runtime directory {}: {}", dir, e.getMessage());
        }
    }
}
