package io.sysbox.fs;

import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.emulation.registry.Container;
import io.sysbox.fs.testing.HostSysctls;
import io.sysbox.fs.testing.Mounts;
import io.sysbox.fs.testing.TempDirs;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The emulated /proc/sys files over a real FUSE mount, written and read with plain Java file
 * I/O as a container's processes would. Host values are only read, except the one test of the
 * MAX rule raising the host, which restores the value it found.
 */
class SysctlMountTest {
    private static final Logger LOG = LogManager.getLogger("sysbox-fs-test");
    private static final Path HOST = Path.of("/proc/sys");
    private static final int ROOT_UID = 100000;

    private Path base;
    private Path mountpoint;
    private SysboxFsMount mount;

    @BeforeEach
    void setUp() throws IOException {
        base = TempDirs.create("sysboxfs-sysctl-");
        mountpoint = base.resolve("mnt");
        mount = SysboxFsMount.mount(mountpoint, 4, LOG);
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            if (mount != null) mount.close();
        } finally {
            assertFalse(Mounts.isMountPoint(mountpoint), "the FUSE mount outlived close()");
            TempDirs.delete(base);
        }
    }

    private void register(String... ids) throws Exception {
        for (String id : ids) {
            mount.registry().register(new Container(id, BootClock.nanos(), Map.of(), 0, ROOT_UID, ROOT_UID));
        }
    }

    private Path sysctl(String id, String name) {
        return mountpoint.resolve(id).resolve("proc/sys").resolve(name);
    }

    private static String host(String name) throws IOException {
        return HostSysctls.read(name);
    }

    private static void write(Path file, String value) throws IOException {
        Files.writeString(file, value);
    }

    /** Writes and expects the kernel's answer to a value out of range. */
    private static void assertInvalid(Path file, String value) {
        IOException e = assertThrows(IOException.class, () -> write(file, value), "'" + value + "' was taken");
        assertTrue(String.valueOf(e.getMessage()).contains("Invalid argument"), e.toString());
    }

    @Test
    void perContainerValuesStartAtTheHostsAndStayInTheirContainer() throws Exception {
        register("c1", "c2");
        String panic = host("kernel/panic"), overcommit = host("vm/overcommit_memory"), printk = host("kernel/printk");
        assertEquals(panic, Files.readString(sysctl("c1", "kernel/panic")));
        assertEquals(printk, Files.readString(sysctl("c1", "kernel/printk")));

        String newPanic = panic.strip().equals("17") ? "18" : "17";
        write(sysctl("c1", "kernel/panic"), newPanic + "\n");
        String newOvercommit = overcommit.strip().equals("1") ? "2" : "1";
        write(sysctl("c1", "vm/overcommit_memory"), newOvercommit);
        // Fewer numbers than printk has replace the first ones, as the kernel does.
        write(sysctl("c1", "kernel/printk"), "3\n");
        String[] hostPrintk = printk.strip().split("\\s+");

        assertEquals(newPanic + "\n", Files.readString(sysctl("c1", "kernel/panic")));
        assertEquals(newOvercommit + "\n", Files.readString(sysctl("c1", "vm/overcommit_memory")));
        assertEquals("3\t" + hostPrintk[1] + "\t" + hostPrintk[2] + "\t" + hostPrintk[3] + "\n",
                Files.readString(sysctl("c1", "kernel/printk")));
        assertEquals(panic, Files.readString(sysctl("c2", "kernel/panic")));
        assertEquals(overcommit, Files.readString(sysctl("c2", "vm/overcommit_memory")));
        assertEquals(printk, Files.readString(sysctl("c2", "kernel/printk")));
        assertEquals(panic, host("kernel/panic"));
        assertEquals(overcommit, host("vm/overcommit_memory"));
        assertEquals(printk, host("kernel/printk"));

        // Hexadecimal as the kernel reads it; a second container's write is its own.
        write(sysctl("c2", "kernel/panic"), "0x10\n");
        assertEquals("16\n", Files.readString(sysctl("c2", "kernel/panic")));
        assertEquals(newPanic + "\n", Files.readString(sysctl("c1", "kernel/panic")));
        assertEquals(panic, host("kernel/panic"));

        // Unregistering drops the values: the id registered again starts from the host's.
        mount.registry().unregister("c1");
        register("c1");
        assertEquals(panic, Files.readString(sysctl("c1", "kernel/panic")));
    }

    @Test
    void onlyTheFirstPieceOfASplitWriteCounts() throws Exception {
        register("c1");
        try (FileChannel ch = FileChannel.open(sysctl("c1", "kernel/panic_on_oops"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("1".getBytes(StandardCharsets.US_ASCII)));
            ch.write(ByteBuffer.wrap("2\n".getBytes(StandardCharsets.US_ASCII)));
        }
        assertEquals("1\n", Files.readString(sysctl("c1", "kernel/panic_on_oops")));
    }

    @Test
    void valuesOutOfRangeAreInvalidAndChangeNothing() throws Exception {
        register("c1");
        String before = Files.readString(sysctl("c1", "vm/overcommit_memory"));
        assertInvalid(sysctl("c1", "vm/overcommit_memory"), "3\n");
        assertInvalid(sysctl("c1", "vm/overcommit_memory"), "-1\n");
        assertInvalid(sysctl("c1", "vm/overcommit_memory"), "one\n");
        assertInvalid(sysctl("c1", "vm/overcommit_memory"), "\n");
        assertInvalid(sysctl("c1", "vm/overcommit_memory"), "1 1\n");
        assertInvalid(sysctl("c1", "kernel/kptr_restrict"), "4\n");
        assertInvalid(sysctl("c1", "kernel/dmesg_restrict"), "2\n");
        assertInvalid(sysctl("c1", "fs/protected_symlinks"), "2\n");
        assertInvalid(sysctl("c1", "kernel/panic"), "4294967296\n");
        assertInvalid(sysctl("c1", "kernel/printk"), "1 2 3 4 5\n");
        assertInvalid(sysctl("c1", "fs/nr_open"), "1\n");
        if (Files.exists(sysctl("c1", "kernel/pid_max"))) {
            assertInvalid(sysctl("c1", "kernel/pid_max"), "0\n");
            assertInvalid(sysctl("c1", "kernel/pid_max"), "4194305\n");
        }
        assertEquals(before, Files.readString(sysctl("c1", "vm/overcommit_memory")));
        assertEquals(before, host("vm/overcommit_memory"));
    }

    @Test
    void pidMaxIsLeftToTheKernelWhereItBelongsToThePidNamespace() throws Exception {
        register("c1");
        String[] release = host("kernel/osrelease").strip().split("[.-]");
        int major = Integer.parseInt(release[0]), minor = Integer.parseInt(release[1]);
        boolean namespaced = major > 6 || (major == 6 && minor >= 14);
        assertEquals(!namespaced, Files.exists(sysctl("c1", "kernel/pid_max")));
    }

    @Test
    void aSmallerMaxIsTheContainersAloneAndNeverLowersTheHost() throws Exception {
        assumeTrue(Files.exists(HOST.resolve("net/netfilter/nf_conntrack_max")), "no nf_conntrack on this host");
        register("c1", "c2");
        long host = Long.parseLong(host("net/netfilter/nf_conntrack_max").strip());
        long smaller = host / 2;
        write(sysctl("c1", "net/netfilter/nf_conntrack_max"), smaller + "\n");
        assertEquals(smaller + "\n", Files.readString(sysctl("c1", "net/netfilter/nf_conntrack_max")));
        assertEquals(host + "\n", Files.readString(sysctl("c2", "net/netfilter/nf_conntrack_max")));
        assertEquals(host + "\n", host("net/netfilter/nf_conntrack_max"));

        long files = Long.parseLong(host("fs/file-max").strip());
        write(sysctl("c2", "fs/file-max"), (files - 1) + "\n");
        assertEquals((files - 1) + "\n", Files.readString(sysctl("c2", "fs/file-max")));
        assertEquals(files + "\n", host("fs/file-max"));
        assertInvalid(sysctl("c2", "net/netfilter/nf_conntrack_max"), "-1\n");
        assertEquals(host + "\n", host("net/netfilter/nf_conntrack_max"));
    }

    @Test
    void aLargerMaxRaisesTheHost() throws Exception {
        assumeTrue(Files.exists(HOST.resolve("net/netfilter/nf_conntrack_max")), "no nf_conntrack on this host");
        register("c1", "c2");
        String original = host("net/netfilter/nf_conntrack_max");
        // The value restored below: make sure it is the host's whole value before changing anything.
        assertEquals(HostSysctls.readWithCat("net/netfilter/nf_conntrack_max"), original);
        assertTrue(original.matches("\\d+\n"), original);
        long larger = Long.parseLong(original.strip()) + 1;
        try {
            assertEquals(original, Files.readString(sysctl("c2", "net/netfilter/nf_conntrack_max")));
            write(sysctl("c1", "net/netfilter/nf_conntrack_max"), larger + "\n");
            assertEquals(larger + "\n", host("net/netfilter/nf_conntrack_max"));
            assertEquals(larger + "\n", Files.readString(sysctl("c1", "net/netfilter/nf_conntrack_max")));
            // c2 read its value before the raise: it keeps it.
            assertEquals(original, Files.readString(sysctl("c2", "net/netfilter/nf_conntrack_max")));
        } finally {
            Files.writeString(HOST.resolve("net/netfilter/nf_conntrack_max"), original);
        }
        assertEquals(original, host("net/netfilter/nf_conntrack_max"));
    }

    @Test
    void netnsLimitsAreNotEmulated() throws Exception {
        register("c1");
        // The kernel keeps these per network namespace: the container's own netns has its own.
        for (String name : List.of("net/core/somaxconn", "net/unix/max_dgram_qlen",
                "net/netfilter/nf_conntrack_generic_timeout", "net/netfilter/nf_conntrack_tcp_timeout_established",
                "net/netfilter/nf_conntrack_tcp_timeout_close_wait", "kernel/threads-max", "vm/swappiness")) {
            assertFalse(Files.exists(sysctl("c1", name)), name + " is emulated");
        }
    }

    @Test
    void uuidIsFreshOnEveryReadAndReadOnly() throws Exception {
        register("c1");
        Set<String> uuids = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            String uuid = Files.readString(sysctl("c1", "kernel/random/uuid"));
            assertTrue(uuid.matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n"), uuid);
            uuids.add(uuid);
        }
        assertEquals(10, uuids.size());
        assertThrows(AccessDeniedException.class, () -> write(sysctl("c1", "kernel/random/uuid"), "x\n"));
    }

    @Test
    void capLastCapAndNgroupsMaxAreTheHostsAndReadOnlyEvenForHostRoot() throws Exception {
        register("c1");
        for (String name : List.of("kernel/cap_last_cap", "kernel/ngroups_max")) {
            Path file = sysctl("c1", name);
            String host = host(name);
            assertEquals(host, Files.readString(file));
            assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            // Host root passes the kernel's mode check: the server refuses by itself.
            assertThrows(AccessDeniedException.class, () -> write(file, host));
            assertThrows(AccessDeniedException.class, () -> FileChannel.open(file, StandardOpenOption.WRITE).close());
            assertEquals(host, Files.readString(file));
            assertEquals(host, host(name));
        }
    }

    @Test
    void nodesHaveTheHostsModesAndTheContainersRootAsOwnerAndKeepThem() throws Exception {
        register("c1");
        List<String> emulated;
        Path procSys = mountpoint.resolve("c1/proc/sys");
        try (Stream<Path> walk = Files.walk(procSys)) {
            emulated = walk.filter(Files::isRegularFile).map(p -> procSys.relativize(p).toString()).sorted().toList();
        }
        assertTrue(emulated.containsAll(List.of("kernel/panic", "kernel/printk", "vm/overcommit_memory",
                "fs/file-max", "fs/nr_open", "kernel/random/uuid", "kernel/cap_last_cap")), emulated.toString());
        for (String name : emulated) {
            Path node = sysctl("c1", name);
            assertEquals(Files.getAttribute(HOST.resolve(name), "unix:mode"), Files.getAttribute(node, "unix:mode"), name);
            assertEquals(ROOT_UID, Files.getAttribute(node, "unix:uid"), name);
            assertEquals(ROOT_UID, Files.getAttribute(node, "unix:gid"), name);
        }
        for (Path dir : List.of(procSys, procSys.resolve("kernel"), procSys.resolve("kernel/random"))) {
            Path host = HOST.resolve(procSys.relativize(dir).toString());
            assertEquals(Files.getAttribute(host, "unix:mode"), Files.getAttribute(dir, "unix:mode"), dir.toString());
        }
        Path panic = sysctl("c1", "kernel/panic");
        FileSystemException chmod = assertThrows(FileSystemException.class,
                () -> Files.setPosixFilePermissions(panic, PosixFilePermissions.fromString("rw-rw-rw-")));
        assertEquals("Operation not permitted", chmod.getReason());
        FileSystemException chown = assertThrows(FileSystemException.class, () -> Files.setAttribute(panic, "unix:uid", 0));
        assertEquals("Operation not permitted", chown.getReason());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(panic)));
    }

    @Test
    void theKernelLetsTheContainersRootWriteAndRefusesItsOtherUsers() throws Exception {
        register("c1");
        // The test's temp directory is 0700: others must be able to reach the mount.
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path panic = sysctl("c1", "kernel/panic");
        String before = Files.readString(panic);
        Process user = asUser(ROOT_UID + 1000, "echo 5 > " + panic);
        String error = new String(user.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertNotEquals(0, user.waitFor());
        assertTrue(error.contains("Permission denied"), error);
        assertEquals(before, Files.readString(panic));

        Process root = asUser(ROOT_UID, "echo 5 > " + panic);
        String rootError = new String(root.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, root.waitFor(), rootError);
        assertEquals("5\n", Files.readString(panic));
    }

    private static Process asUser(int uid, String script) throws IOException {
        return new ProcessBuilder("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "sh", "-c", script)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void concurrentReadersAndWritersAlwaysSeeWholeValues() throws Exception {
        List<String> ids = List.of("c0", "c1", "c2", "c3", "c4");
        register(ids.toArray(String[]::new));
        String hostPrintk = host("kernel/printk"), hostPanic = host("kernel/panic");
        for (String id : ids) write(sysctl(id, "kernel/printk"), "0 0 0 0\n");
        ExecutorService pool = Executors.newFixedThreadPool(10);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 10; t++) {
                int container = t % 5;
                String id = ids.get(container);
                // Container k's two writers write k*100 + 1..7 and k*100 + 11..17: a value from
                // outside that set would have leaked from another container.
                int first = container * 100 + (t < 5 ? 1 : 11);
                results.add(pool.submit(() -> {
                    start.await();
                    int checked = 0;
                    for (int i = 0; i < 150; i++) {
                        int v = first + i % 7;
                        write(sysctl(id, "kernel/printk"), v + " " + v + " " + v + " " + v + "\n");
                        write(sysctl(id, "kernel/panic"), v + "\n");
                        String printk = Files.readString(sysctl(id, "kernel/printk"));
                        String[] numbers = printk.strip().split("\t");
                        if (numbers.length != 4 || !printk.endsWith("\n")) throw new AssertionError("torn printk: " + printk);
                        for (String n : numbers) {
                            if (!n.equals(numbers[0])) throw new AssertionError("mixed printk: " + printk);
                        }
                        if (!writtenBy(container, Integer.parseInt(numbers[0]))) {
                            throw new AssertionError(id + " sees printk " + printk.strip() + ", which none of its writers wrote");
                        }
                        int panic = Integer.parseInt(Files.readString(sysctl(id, "kernel/panic")).strip());
                        if (!writtenBy(container, panic)) throw new AssertionError(id + " sees panic " + panic);
                        checked++;
                    }
                    return checked;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : results) total += f.get();
            assertEquals(1500, total);
        } finally {
            pool.shutdownNow();
        }
        for (int k = 0; k < ids.size(); k++) {
            int last = Integer.parseInt(Files.readString(sysctl(ids.get(k), "kernel/printk")).split("\t")[0]);
            assertTrue(writtenBy(k, last), ids.get(k) + " ends with " + last);
        }
        assertEquals(hostPrintk, host("kernel/printk"));
        assertEquals(hostPanic, host("kernel/panic"));
    }

    private static boolean writtenBy(int container, int value) {
        int own = value - container * 100;
        return (own >= 1 && own <= 7) || (own >= 11 && own <= 17);
    }
}
