package io.sysbox.install.docker;

import java.nio.file.Path;
import java.util.List;

/** What an edit of daemon.json did to FILE: one line per change, none when the file already said it. */
public record ConfigChange(Path file, List<String> changes) {
    public ConfigChange {
        changes = List.copyOf(changes);
    }

    public boolean changed() {
        return !changes.isEmpty();
    }
}
