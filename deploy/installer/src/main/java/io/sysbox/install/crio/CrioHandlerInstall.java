package io.sysbox.install.crio;

import io.sysbox.install.host.HostRoot;
import io.sysbox.install.toml.TomlDocument;
import io.sysbox.install.undo.ChangeJournal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a runtime handler as a CRI-O drop-in ({@code /etc/crio/crio.conf.d/99-sysbox-runc.conf}),
 * through the change journal. CRI-O reads its drop-ins in name order after crio.conf, key by key,
 * so the drop-in adds the handler and changes nothing else. The existing config and drop-ins
 * are parsed first: CRI-O would not start with a broken one, and nothing is written next to it.
 */
public final class CrioHandlerInstall {
    public static final String OWNER = "crio";
    public static final Path MAIN_CONFIG = Path.of("/etc/crio/crio.conf");
    public static final Path DROP_IN_DIR = Path.of("/etc/crio/crio.conf.d");
    static final String DROP_IN_NAME = "99-sysbox-runc.conf";
    static final String HEADER = "# sysbox-runc handler, added by sysbox-install (undone by its --uninstall)\n";
    private static final int NEW_FILE_MODE = 0644;

    private final HostRoot host;
    private final Path dropInDir;

    public CrioHandlerInstall(HostRoot host, Path dropInDir) {
        this.host = host;
        this.dropInDir = dropInDir;
    }

    public static CrioHandlerInstall of(HostRoot host) {
        return new CrioHandlerInstall(host, DROP_IN_DIR);
    }

    public Path dropIn() {
        return dropInDir.resolve(DROP_IN_NAME);
    }

    /** The drop-in's content; checks that the config and the other drop-ins parse (throws when one does not). */
    public byte[] plan(CrioHandler handler) throws IOException {
        Path main = host.resolve(MAIN_CONFIG);
        if (Files.isRegularFile(main)) TomlDocument.parse(MAIN_CONFIG, Files.readAllBytes(main));
        Path dir = host.resolve(dropInDir);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path p : entries.filter(Files::isRegularFile).sorted().toList()) {
                    if (p.getFileName().toString().equals(DROP_IN_NAME)) continue;
                    TomlDocument.parse(dropInDir.resolve(p.getFileName()), Files.readAllBytes(p));
                }
            }
        }
        return (HEADER + handler.section()).getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the drop-in; false when it already held exactly that. */
    public boolean install(ChangeJournal journal, CrioHandler handler) throws IOException {
        return journal.write(OWNER, dropIn(), plan(handler), NEW_FILE_MODE);
    }

    public static List<Path> uninstall(ChangeJournal journal) throws IOException {
        return journal.restore(OWNER);
    }
}
