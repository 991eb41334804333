package io.sysbox.install.undo;

import io.sysbox.install.host.HostRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeJournalTest {
    @TempDir
    Path root;

    private HostRoot host() {
        return new HostRoot(root);
    }

    @Test
    void aFileChangedTwiceComesBackAsItFirstWasWithItsModeAndOwner() throws IOException {
        Path file = host().resolve("/etc/app.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "original\n");
        Files.setAttribute(file, "unix:mode", 0640);
        Files.setAttribute(file, "unix:gid", 4322);
        Files.setAttribute(file, "unix:uid", 4321);

        ChangeJournal journal = ChangeJournal.open(host());
        assertTrue(journal.write("test", Path.of("/etc/app.conf"), "first\n".getBytes(), 0644));
        assertTrue(ChangeJournal.open(host()).write("test", Path.of("/etc/app.conf"), "second\n".getBytes(), 0644));
        assertEquals(0640, ((Integer) Files.getAttribute(file, "unix:mode")) & 07777, "a changed file keeps its mode");

        assertEquals(List.of(Path.of("/etc/app.conf")), ChangeJournal.open(host()).restore("test"));
        assertEquals("original\n", Files.readString(file));
        assertEquals(0640, ((Integer) Files.getAttribute(file, "unix:mode")) & 07777);
        assertEquals(4321, Files.getAttribute(file, "unix:uid"));
        assertEquals(4322, Files.getAttribute(file, "unix:gid"));
        assertFalse(Files.exists(host().resolve(ChangeJournal.STATE_DIR)));
        assertFalse(Files.exists(host().resolve("/var")), "the directories made for the journal go too");
    }

    @Test
    void theSameBytesRecordNothingAndWriteNothing() throws IOException {
        Path file = host().resolve("/etc/same");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "x");
        assertFalse(ChangeJournal.open(host()).write("test", Path.of("/etc/same"), "x".getBytes(), 0644));
        assertFalse(Files.exists(host().resolve(ChangeJournal.STATE_DIR)), "nothing to record");
    }

    @Test
    void newFilesLinksAndDirectoriesAreRemovedAndReplacedLinksComeBack() throws IOException {
        Path oldLink = host().resolve("/usr/sbin/tool");
        Files.createDirectories(oldLink.getParent());
        Files.createSymbolicLink(oldLink, Path.of("/opt/old/tool"));
        ChangeJournal journal = ChangeJournal.open(host());
        journal.write("test", Path.of("/opt/new/lib/a.jar"), new byte[] {1, 2, 3}, 0644);
        journal.symlink("test", Path.of("/usr/sbin/tool"), Path.of("/opt/new/tool"));
        assertEquals(Path.of("/opt/new/tool"), Files.readSymbolicLink(oldLink));
        assertFalse(journal.symlink("test", Path.of("/usr/sbin/tool"), Path.of("/opt/new/tool")));

        ChangeJournal.open(host()).restore("test");

        assertEquals(Path.of("/opt/old/tool"), Files.readSymbolicLink(oldLink));
        assertFalse(Files.exists(host().resolve("/opt")), "/opt, /opt/new, /opt/new/lib were made by the install");
    }

    @Test
    void oneOwnerIsUndoneAloneAndTheOthersRecordsStay() throws IOException {
        ChangeJournal journal = ChangeJournal.open(host());
        journal.write("a", Path.of("/etc/a"), "a".getBytes(), 0644);
        journal.write("b", Path.of("/srv/b"), "b".getBytes(), 0644);

        assertEquals(List.of(Path.of("/etc/a"), Path.of("/etc")), ChangeJournal.open(host()).restore("a"));
        assertTrue(Files.exists(host().resolve("/srv/b")));
        assertEquals(List.of(), ChangeJournal.open(host()).originals("a"));
        assertEquals(2, ChangeJournal.open(host()).originals("b").size());
        ChangeJournal.open(host()).restore("b");
        assertEquals(List.of(), listing());
    }

    @Test
    void aDryRunAnswersWithoutChangingAnything() throws IOException {
        ChangeJournal dry = ChangeJournal.dryRun(host());
        assertTrue(dry.write("a", Path.of("/etc/a"), "a".getBytes(), 0644));
        assertTrue(dry.symlink("a", Path.of("/etc/l"), Path.of("/x")));
        assertEquals(List.of(), listing());
        assertThrows(IllegalStateException.class, () -> dry.restore("a"));
    }

    @Test
    void anUnreadableJournalStopsEverything() throws IOException {
        Path file = host().resolve(ChangeJournal.STATE_DIR).resolve("journal.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{not json");
        IOException e = assertThrows(IOException.class, () -> ChangeJournal.open(host()));
        assertTrue(e.getMessage().startsWith("/var/lib/sysbox-deploy/journal.json cannot be read"), e.getMessage());
    }

    private List<Path> listing() throws IOException {
        try (var walk = Files.walk(root)) {
            return walk.filter(p -> !p.equals(root)).toList();
        }
    }

    @Test
    void restoringTwiceIsHarmless() throws IOException {
        byte[] bytes = {9};
        ChangeJournal.open(host()).write("a", Path.of("/etc/a"), bytes, 0600);
        ChangeJournal.open(host()).restore("a");
        assertEquals(List.of(), ChangeJournal.open(host()).restore("a"));
        assertArrayEquals(new Path[0], listing().toArray(Path[]::new));
    }
}
