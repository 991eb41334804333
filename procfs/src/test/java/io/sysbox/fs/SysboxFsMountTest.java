package io.sysbox.fs;

import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.emulation.proc.SwapsFile;
import io.sysbox.fs.emulation.registry.AlreadyRegisteredException;
import io.sysbox.fs.emulation.registry.Container;
import io.sysbox.fs.testing.CgroupFixture;
import io.sysbox.fs.testing.MemoryCgroupFixture;
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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The emulation over a real FUSE mount, read with plain Java file I/O as a container's processes would. */
class SysboxFsMountTest {
    private static final Logger LOG = LogManager.getLogger("sysbox-fs-test");
    private static final long LIMIT = 256L << 20;

    private Path base;
    private Path mountpoint;
    private SysboxFsMount mount;
    private MemoryCgroupFixture cgroup;

    @BeforeEach
    void setUp() throws IOException {
        base = TempDirs.create("sysboxfs-mount-");
        mountpoint = base.resolve("mnt");
        cgroup = MemoryCgroupFixture.create(LIMIT);
        mount = SysboxFsMount.mount(mountpoint, 4, LOG);
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            if (mount != null) mount.close();
        } finally {
            try {
                if (cgroup != null) cgroup.close();
            } finally {
                assertFalse(Mounts.isMountPoint(mountpoint), "the FUSE mount outlived close()");
                TempDirs.delete(base);
            }
        }
    }

    private Container container(String id, long startedSecondsAgo) {
        return new Container(id, BootClock.nanos() - startedSecondsAgo * 1_000_000_000L,
                Map.of("memory", cgroup.dir()), 0, 0, 0);
    }

    private Path proc(String id, String name) {
        return mountpoint.resolve(id).resolve("proc").resolve(name);
    }

    @Test
    void uptimeCountsFromTheContainersStartWithBothColumnsEqual() throws Exception {
        mount.registry().register(container("c1", 5));
        String uptime = Files.readString(proc("c1", "uptime"));
        Matcher m = Pattern.compile("(\\d+\\.\\d{2}) (\\d+\\.\\d{2})\n").matcher(uptime);
        assertTrue(m.matches(), uptime);
        assertEquals(m.group(1), m.group(2));
        double seconds = Double.parseDouble(m.group(1));
        assertTrue(seconds >= 5 && seconds < 10, uptime);
        double host = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        assertTrue(seconds < host, "container uptime " + seconds + " is not below the host's " + host);
    }

    @Test
    void swapsHasOnlyTheKernelsHeader() throws Exception {
        mount.registry().register(container("c1", 0));
        assertEquals(SwapsFile.HEADER, Files.readString(proc("c1", "swaps")));
        assertEquals(Files.readAllLines(Path.of("/proc/swaps")).getFirst() + "\n", SwapsFile.HEADER);
    }

    @Test
    void meminfoShowsTheCgroupLimitAsMemTotalAndItsUsageAsUsed() throws Exception {
        // 16 MiB of tmpfs pages charged to the cgroup by a process that ran in it.
        Path shm = Path.of("/dev/shm/sysboxfs-test-" + ProcessHandle.current().pid());
        try {
            Process p = new ProcessBuilder("sh", "-c", "echo $$ > " + cgroup.dir().resolve("cgroup.procs")
                    + " && head -c 16777216 /dev/zero > " + shm).inheritIO().start();
            assertEquals(0, p.waitFor());
            long usage = cgroup.usageBytes();
            assertTrue(usage >= 16L << 20, "usage " + usage);
            mount.registry().register(container("c1", 0));

            String meminfo = Files.readString(proc("c1", "meminfo"));
            List<String> lines = meminfo.lines().toList();
            assertTrue(lines.contains("MemTotal:         262144 kB"), meminfo);
            long total = kb(meminfo, "MemTotal"), free = kb(meminfo, "MemFree"), available = kb(meminfo, "MemAvailable");
            long expectedFree = (LIMIT - usage) / 1024;
            assertTrue(Math.abs(free - expectedFree) <= 1024, "MemFree " + free + " kB, expected about " + expectedFree);
            assertTrue(free <= available && available <= total, meminfo);
            assertTrue(kb(meminfo, "Shmem") >= 16 * 1024, meminfo);
            assertEquals(0, kb(meminfo, "SwapTotal"));
            // Same lines in the same order as the host's, each in the kernel's layout.
            List<String> hostKeys = Files.readAllLines(Path.of("/proc/meminfo")).stream().map(l -> l.split(":")[0]).toList();
            assertEquals(hostKeys, lines.stream().map(l -> l.split(":")[0]).toList());
            Pattern kernelLayout = Pattern.compile("[^ ]{1,16} *[ \\d]{8} kB");
            for (String line : lines) {
                if (line.matches(".*: +\\d{1,8} kB")) assertTrue(kernelLayout.matcher(line).matches() && line.length() == 27, line);
            }
        } finally {
            Files.deleteIfExists(shm);
        }
    }

    private static long kb(String meminfo, String key) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + ":\\s+(\\d+) kB$").matcher(meminfo);
        assertTrue(m.find(), key + " missing from\n" + meminfo);
        return Long.parseLong(m.group(1));
    }

    @Test
    void sendfileReadersGetTheWholeContent() throws Exception {
        mount.registry().register(new Container("c1", BootClock.nanos(), Map.of("memory", cgroup.dir()), 0,
                100000, 100000));
        Path meminfo = proc("c1", "meminfo");
        Path copy = Files.createTempFile("sysboxfs-sendfile-", ".txt");
        try (FileChannel in = FileChannel.open(meminfo); FileChannel out = FileChannel.open(copy,
                java.nio.file.StandardOpenOption.WRITE)) {
            // transferTo goes through sendfile/splice, as busybox cat does, not read(2).
            long copied = in.transferTo(0, Long.MAX_VALUE, out);
            assertTrue(copied > 0, "sendfile copied nothing");
            String viaSendfile = Files.readString(copy);
            assertTrue(viaSendfile.startsWith("MemTotal:") && viaSendfile.contains("MemAvailable:"), viaSendfile);
            assertEquals(Files.readString(meminfo).lines().count(), viaSendfile.lines().count());
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    @Test
    void diskstatsShowsOnlyTheIoOfTheContainersBlkioCgroup() throws Exception {
        try (CgroupFixture blkio = CgroupFixture.create("blkio")) {
            mount.registry().register(new Container("c1", BootClock.nanos(), Map.of("blkio", blkio.dir()), 0, 0, 0));
            mount.registry().register(container("c2", 0));
            // A new cgroup has done no I/O: no device at all, where the host's file lists every one.
            assertEquals("", Files.readString(proc("c1", "diskstats")));
            assertFalse(Files.readString(Path.of("/proc/diskstats")).isEmpty());
            // Without a blkio cgroup, as lxcfs does: the host's devices (counters move, names do not).
            assertEquals(deviceNames(Files.readString(Path.of("/proc/diskstats"))),
                    deviceNames(Files.readString(proc("c2", "diskstats"))));
            mount.registry().unregister("c1");
        }
    }

    private static List<String> deviceNames(String diskstats) {
        return diskstats.lines().map(l -> l.strip().split("\\s+")[2]).toList();
    }

    @Test
    void emulatedNodesLookLikeProcAndRefuseChmodChownAndWrites() throws Exception {
        mount.registry().register(new Container("c1", BootClock.nanos(), Map.of("memory", cgroup.dir()), 0,
                100000, 100000));
        Path uptime = proc("c1", "uptime");
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(uptime)));
        // The content's length rounded up to a page (see EmulationFileSystem.attributesOf).
        assertEquals(4096L, Files.size(uptime));
        assertEquals(100000, Files.getAttribute(uptime, "unix:uid"));
        assertEquals(100000, Files.getAttribute(mountpoint.resolve("c1"), "unix:gid"));
        assertEquals("r-xr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(mountpoint.resolve("c1/proc"))));

        FileSystemException chmod = assertThrows(FileSystemException.class,
                () -> Files.setPosixFilePermissions(uptime, PosixFilePermissions.fromString("rw-rw-rw-")));
        assertEquals("Operation not permitted", chmod.getReason());
        FileSystemException chown = assertThrows(FileSystemException.class,
                () -> Files.setAttribute(uptime, "unix:uid", 0));
        assertEquals("Operation not permitted", chown.getReason());
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(uptime)));
        assertThrows(AccessDeniedException.class, () -> Files.writeString(uptime, "1"));
    }

    @Test
    void unknownPathsAreMissing() throws Exception {
        mount.registry().register(container("c1", 0));
        assertThrows(NoSuchFileException.class, () -> Files.readString(proc("c1", "cpuinfo-nope")));
        assertThrows(NoSuchFileException.class, () -> Files.readString(proc("c2", "uptime")));
        assertThrows(NoSuchFileException.class, () -> Files.readString(mountpoint.resolve("c1/dev")));
        assertThrows(NoSuchFileException.class, () -> Files.readString(mountpoint.resolve("c1/sys/devices/system/cpu/cpu0")));
    }

    @Test
    void listingsShowRegisteredContainersAndTheirFiles() throws Exception {
        mount.registry().register(container("c1", 0));
        mount.registry().register(container("c2", 0));
        try (Stream<Path> top = Files.list(mountpoint); Stream<Path> c1 = Files.list(mountpoint.resolve("c1"));
             Stream<Path> proc = Files.list(mountpoint.resolve("c1/proc"))) {
            assertEquals(List.of(".ro", "c1", "c2"), top.map(p -> p.getFileName().toString()).sorted().toList());
            assertEquals(List.of("proc", "sys"), c1.map(p -> p.getFileName().toString()).sorted().toList());
            assertEquals(List.of("cpuinfo", "diskstats", "loadavg", "meminfo", "stat", "swaps", "sys", "uptime"),
                    proc.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void theFilesNoContainerCanWriteAreServedAgainFromAReadOnlyMount() throws Exception {
        mount.registry().register(container("c1", 0));
        Path readOnly = mountpoint.resolve(".ro");
        assertEquals(readOnly.resolve("c1"), mount.readOnlyContainerDirectory("c1"));
        String superOptions = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(line -> line.split(" ")[4].equals(readOnly.toString()))
                .map(line -> line.split(" - ", 2)[1].split(" ")[2]).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + readOnly));
        assertTrue(List.of(superOptions.split(",")).contains("ro"), "a read-only superblock: " + superOptions);

        assertTrue(Files.readString(readOnly.resolve("c1/proc/uptime")).matches("\\d+\\.\\d\\d \\d+\\.\\d\\d\n"));
        assertTrue(Files.readString(readOnly.resolve("c1/proc/meminfo")).contains("MemTotal:         262144 kB"));
        assertTrue(Files.isRegularFile(readOnly.resolve("c1/sys/devices/system/cpu/online")));
        FileSystemException refused = assertThrows(FileSystemException.class,
                () -> Files.writeString(readOnly.resolve("c1/proc/uptime"), "1"));
        assertTrue(String.valueOf(refused.getReason()).contains("Read-only file system"), refused.toString());
        // Writable files are only on the read-write mount, where they stay.
        assertTrue(Files.exists(mountpoint.resolve("c1/proc/sys/kernel/panic")));
        assertFalse(Files.exists(readOnly.resolve("c1/proc/sys/kernel/panic")));
        assertTrue(Files.exists(mountpoint.resolve("c1/proc/uptime")), "the read-write tree still has every file");

        assertTrue(mount.registry().unregister("c1"));
        assertFalse(Files.exists(readOnly.resolve("c1")));
        assertThrows(IllegalArgumentException.class, () -> mount.registry().register(container(".ro", 0)));
    }

    @Test
    void unregisterRemovesTheDirectoryAtOnceEvenWhileTheKernelCachesIt() throws Exception {
        mount.registry().register(container("c1", 0));
        assertTrue(Files.isDirectory(mountpoint.resolve("c1")));
        Files.readString(proc("c1", "uptime"));
        assertTrue(mount.registry().unregister("c1"));
        assertFalse(Files.exists(mountpoint.resolve("c1")));
        assertThrows(NoSuchFileException.class, () -> Files.readString(proc("c1", "uptime")));
        assertFalse(mount.registry().unregister("c1"));
        // The id can be used again, with fresh state.
        mount.registry().register(container("c1", 7));
        assertTrue(Double.parseDouble(Files.readString(proc("c1", "uptime")).split(" ")[0]) >= 7);
    }

    @Test
    void badOrDuplicateIdsAreRefusedWithReasons() throws Exception {
        mount.registry().register(container("c1", 0));
        AlreadyRegisteredException dup = assertThrows(AlreadyRegisteredException.class,
                () -> mount.registry().register(container("c1", 0)));
        assertTrue(dup.getMessage().contains("unregister it first"), dup.getMessage());
        IllegalArgumentException slash = assertThrows(IllegalArgumentException.class,
                () -> mount.registry().register(container("a/b", 0)));
        assertTrue(slash.getMessage().contains("'/'"), slash.getMessage());
        assertThrows(IllegalArgumentException.class, () -> mount.registry().register(container("..", 0)));
        Path missing = cgroup.dir().resolve("no-such-child");
        IOException noCgroup = assertThrows(IOException.class, () -> mount.registry().register(
                new Container("c2", 0, Map.of("memory", missing), 0, 0, 0)));
        assertTrue(noCgroup.getMessage().contains("c2") && noCgroup.getMessage().contains(missing.toString()),
                noCgroup.getMessage());
        assertFalse(Files.exists(mountpoint.resolve("c2")));
    }

    @Test
    void aReaderSeesOneConsistentCopyPerPassAndFreshValuesAfterSeekingBack() throws Exception {
        mount.registry().register(container("c1", 0));
        try (FileChannel ch = FileChannel.open(proc("c1", "meminfo"), StandardOpenOption.READ)) {
            ByteBuffer small = ByteBuffer.allocate(7);
            StringBuilder pieces = new StringBuilder();
            while (ch.read(small.clear()) > 0) pieces.append(new String(small.array(), 0, small.position(), StandardCharsets.US_ASCII));
            assertTrue(pieces.toString().startsWith("MemTotal:         262144 kB\n"), pieces.toString());
            assertTrue(pieces.toString().endsWith(" kB\n"), pieces.toString());
        }
        try (FileChannel ch = FileChannel.open(proc("c1", "uptime"), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            ch.read(buffer);
            String first = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
            Thread.sleep(50);
            ch.position(0);
            ch.read(buffer.clear());
            String second = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
            assertNotEquals(first, second);
        }
    }

    @Test
    void concurrentReadersOfSeveralContainersAllGetWholeFiles() throws Exception {
        for (int i = 0; i < 5; i++) mount.registry().register(container("c" + i, 5));
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 10; t++) {
                String id = "c" + (t % 5);
                results.add(pool.submit(() -> {
                    int reads = 0;
                    for (int i = 0; i < 200; i++) {
                        String meminfo = Files.readString(proc(id, "meminfo"));
                        if (!meminfo.startsWith("MemTotal:         262144 kB\n") || !meminfo.endsWith(" kB\n")) {
                            throw new AssertionError("torn meminfo:\n" + meminfo);
                        }
                        if (!Files.readString(proc(id, "uptime")).matches("\\d+\\.\\d\\d \\d+\\.\\d\\d\n")) {
                            throw new AssertionError("bad uptime");
                        }
                        reads += 2;
                    }
                    return reads;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) total += f.get();
            assertEquals(4000, total);
        } finally {
            pool.shutdownNow();
        }
        // close(2) does not wait for RELEASE: the kernel sends it in the background.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (mount.fileSystem().openHandles() > 0 && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(0, mount.fileSystem().openHandles(), "handles leaked");
    }

    @Test
    void readersOfOneContainerNeverFailWhileOthersComeAndGo() throws Exception {
        mount.registry().register(container("steady", 5));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<Integer> churn = pool.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    mount.registry().register(container("churn" + (i % 3), 0));
                    Files.readString(proc("churn" + (i % 3), "uptime"));
                    mount.registry().unregister("churn" + (i % 3));
                }
                return 200;
            });
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    int n = 0;
                    while (!churn.isDone()) {
                        if (!Files.readString(proc("steady", "meminfo")).startsWith("MemTotal:         262144 kB\n")) {
                            throw new AssertionError("bad meminfo");
                        }
                        n++;
                    }
                    return n;
                }));
            }
            assertEquals(200, churn.get());
            for (Future<Integer> r : readers) assertTrue(r.get() > 0);
            try (Stream<Path> top = Files.list(mountpoint)) {
                assertEquals(List.of(".ro", "steady"), top.map(p -> p.getFileName().toString()).toList());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
