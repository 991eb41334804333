package io.sysbox.common.keeper;

import io.sysbox.common.sys.FileDescriptors;
import org.apache.logging.log4j.LogManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DescriptorKeeperTest {
    @TempDir
    Path dir;

    private long openCopiesOf(Path file) throws Exception {
        Path real = file.toRealPath();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (Exception e) {
                    return false; // closed meanwhile (the listing's own descriptor)
                }
            }).count();
        }
    }

    @Test
    void keepsWhatItIsHandedGivesItBackAndDropsItOnRequest() throws Exception {
        Path file = dir.resolve("held");
        Files.writeString(file, "x");
        DescriptorKeeperClient client = new DescriptorKeeperClient(dir.resolve(DescriptorKeeper.SOCKET));
        assertTrue(client.fetch().isEmpty(), "no keeper yet: nothing held, no error");
        try (DescriptorKeeper keeper = DescriptorKeeper.start(client.socket(), LogManager.getLogger("test"))) {
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(client.socket())));
            assertTrue(client.fetch().isEmpty(), "nothing handed yet");
            int fd = FileDescriptors.openReadOnly(file.toString());
            client.keep(fd, "notes".getBytes(StandardCharsets.UTF_8));
            FileDescriptors.close(fd);
            assertTrue(keeper.holds());
            assertEquals(1, openCopiesOf(file), "the keeper's reference, in this process");

            Optional<DescriptorKeeperClient.Held> held = client.fetch();
            assertTrue(held.isPresent());
            assertEquals("notes", new String(held.get().notes(), StandardCharsets.UTF_8));
            assertEquals(file.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + held.get().fd())));
            FileDescriptors.close(held.get().fd());
            assertTrue(keeper.holds(), "fetching does not take it away");

            client.drop();
            assertFalse(keeper.holds());
            assertEquals(0, openCopiesOf(file), "dropped: closed");
            assertTrue(client.fetch().isEmpty());
        }
        assertFalse(Files.exists(dir.resolve(DescriptorKeeper.SOCKET)), "the socket goes with the keeper");
    }

    @Test
    void keepsSeveralDescriptorsTogetherAndGivesThemBackInOrder() throws Exception {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        Files.writeString(first, "1");
        Files.writeString(second, "2");
        DescriptorKeeperClient client = new DescriptorKeeperClient(dir.resolve(DescriptorKeeper.SOCKET));
        try (DescriptorKeeper keeper = DescriptorKeeper.start(client.socket(), LogManager.getLogger("test"))) {
            int a = FileDescriptors.openReadOnly(first.toString());
            int b = FileDescriptors.openReadOnly(second.toString());
            client.keep(new int[] {a, b}, new byte[0]);
            FileDescriptors.close(a);
            FileDescriptors.close(b);
            assertEquals(1, openCopiesOf(first));
            assertEquals(1, openCopiesOf(second));

            DescriptorKeeperClient.Held held = client.fetch().orElseThrow();
            assertEquals(2, held.fds().length);
            assertEquals(first.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + held.fds()[0])));
            assertEquals(second.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + held.fds()[1])));
            held.close();

            client.drop();
            assertFalse(keeper.holds());
            assertEquals(0, openCopiesOf(first), "dropped: both closed");
            assertEquals(0, openCopiesOf(second), "dropped: both closed");
        }
    }

    @Test
    void aNewDescriptorReplacesTheOldAndClosingTheKeeperClosesIt() throws Exception {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        Files.writeString(first, "1");
        Files.writeString(second, "2");
        DescriptorKeeperClient client = new DescriptorKeeperClient(dir.resolve(DescriptorKeeper.SOCKET));
        try (DescriptorKeeper keeper = DescriptorKeeper.start(client.socket(), LogManager.getLogger("test"))) {
            for (Path file : new Path[] {first, second}) {
                int fd = FileDescriptors.openReadOnly(file.toString());
                client.keep(fd, new byte[0]);
                FileDescriptors.close(fd);
            }
            assertEquals(0, openCopiesOf(first), "replaced: closed");
            assertEquals(1, openCopiesOf(second));
        }
        assertEquals(0, openCopiesOf(second), "the keeper stopped: nothing held any more");
    }

    private Path written(String name) throws Exception {
        return Files.writeString(dir.resolve(name), name);
    }

    @Test
    void namedSlotsAreHeldListedAndDroppedApartFromTheUnnamedOne() throws Exception {
        Path fuse = written("fuse");
        Path listener = written("listener");
        DescriptorKeeperClient client = new DescriptorKeeperClient(dir.resolve(DescriptorKeeper.SOCKET));
        assertEquals(List.of(), client.list("seccomp/"), "no keeper: nothing listed, no error");
        try (DescriptorKeeper keeper = DescriptorKeeper.start(client.socket(), LogManager.getLogger("test"))) {
            int f = FileDescriptors.openReadOnly(fuse.toString());
            client.keep(f, "fuse".getBytes(StandardCharsets.UTF_8));
            FileDescriptors.close(f);
            // Enough slots for several pages of names.
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                String name = "seccomp/container-with-a-long-name-" + "x".repeat(220) + "/" + (100000 + i);
                int l = FileDescriptors.openReadOnly(listener.toString());
                client.keep(name, new int[] {l}, ("notes " + i).getBytes(StandardCharsets.UTF_8));
                FileDescriptors.close(l);
                names.add(name);
            }
            int other = FileDescriptors.openReadOnly(listener.toString());
            client.keep("other/slot", new int[] {other}, new byte[0]);
            FileDescriptors.close(other);
            assertEquals(602, keeper.slotCount());
            assertEquals(601, openCopiesOf(listener), "one reference per slot");
            assertEquals(names.stream().sorted().toList(), client.list("seccomp/"), "every page, in order");

            DescriptorKeeperClient.Held held = client.fetch(names.get(7)).orElseThrow();
            assertEquals("notes 7", new String(held.notes(), StandardCharsets.UTF_8));
            assertEquals(listener.toRealPath(), Files.readSymbolicLink(Path.of("/proc/self/fd/" + held.fd())));
            held.close();
            DescriptorKeeperClient.Held fuseHeld = client.fetch().orElseThrow();
            fuseHeld.close();
            assertEquals("fuse", new String(fuseHeld.notes(), StandardCharsets.UTF_8), "the unnamed slot is apart");

            for (String name : names) client.drop(name);
            assertTrue(client.fetch(names.get(7)).isEmpty());
            assertEquals(List.of(), client.list("seccomp/"));
            assertTrue(keeper.holds(), "dropping named slots leaves the unnamed one");
            assertEquals(2, keeper.slotCount());
        }
        assertEquals(0, openCopiesOf(listener), "the keeper stopped: every slot closed");
        assertEquals(0, openCopiesOf(fuse));
    }
}
