package io.sysbox.setup.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** sysbox-runc's per-container directory holds plain files only; removal is a short walk. */
public final class PrivateDir {
    private PrivateDir() {}

    public static void remove(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover file is reported by the next create of this id
                }
            });
        } catch (IOException ignored) {
            // the directory vanished meanwhile
        }
    }
}
