package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.cgroup.BlkioCgroup;
import io.sysbox.fs.testing.CgroupFixture;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The statistics of a real blkio cgroup (nested under this process's own) after real I/O by a
 * process inside it: dd with direct I/O onto a loop device attached for the test, a block device
 * of its own (so the throttling rule that makes this kernel count touches no disk of the host's).
 */
class BlkioCgroupTest {
    /** A rate no test reaches: the rule only switches blk-throttle's accounting on for the device. */
    private static final String UNLIMITED = "1099511627776";

    @Test
    void directWritesByAProcessInTheCgroupShowInItsDiskstatsAndNothingElse() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/losetup")) || Files.isExecutable(Path.of("/sbin/losetup")),
                "needs losetup (util-linux) to attach a loop device");
        Path backing = Files.createTempFile("sysboxfs-blkio-", ".img");
        String device = null;
        try (CgroupFixture cgroup = CgroupFixture.create("blkio")) {
            Files.write(backing, new byte[4 << 20]);
            device = run("losetup", "--find", "--show", backing.toString()).strip();
            String name = Path.of(device).getFileName().toString();
            String majorMinor = Files.readString(Path.of("/sys/class/block", name, "dev")).strip();
            cgroup.write("blkio.throttle.write_bps_device", majorMinor + " " + UNLIMITED);
            String before = DiskstatsFile.render(Files.readString(Path.of("/proc/diskstats")), BlkioCgroup.read(cgroup.dir()));
            assertEquals("", before, "a new cgroup has done no I/O");

            // 4 writes of 64 KiB each, straight to the device: 512 sectors.
            run("sh", "-c", "echo $$ > " + cgroup.dir().resolve("cgroup.procs")
                    + " && exec dd if=/dev/zero of=" + device + " bs=64k count=4 oflag=direct");

            String host = Files.readString(Path.of("/proc/diskstats"));
            String[] view = DiskstatsFile.render(host, BlkioCgroup.read(cgroup.dir())).split("\n");
            assertEquals(1, view.length, "only the loop device: " + String.join("|", view));
            String[] f = view[0].strip().split("\\s+");
            assertEquals(majorMinor, f[0] + ":" + f[1]);
            assertEquals(name, f[2]);
            assertEquals("0", f[3], "reads");
            assertEquals("4", f[7], "writes");
            assertEquals("512", f[9], "sectors written");
            String hostLine = host.lines().filter(l -> l.strip().split("\\s+")[2].equals(name)).findFirst().orElseThrow();
            assertEquals(hostLine.strip().split("\\s+").length, f.length, "the host's number of fields");
            assertTrue(Long.parseLong(hostLine.strip().split("\\s+")[7]) >= 4, "the host counted them too: " + hostLine);
        } finally {
            if (device != null) run("losetup", "--detach", device);
            Files.deleteIfExists(backing);
        }
    }

    @Test
    void aCgroupWithoutStatisticsFilesCountsNothing() throws Exception {
        Path dir = Files.createTempDirectory("sysboxfs-not-a-cgroup-");
        try {
            BlkioCgroup none = BlkioCgroup.read(dir);
            assertEquals("", DiskstatsFile.render(Files.readString(Path.of("/proc/diskstats")), none));
        } finally {
            Files.delete(dir);
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in 30 s");
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out);
        return out;
    }
}
