package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.cgroup.BlkioCgroup;
import io.sysbox.fs.emulation.cgroup.BlkioCounters;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The diskstats computation on fixed inputs, field by field. */
class DiskstatsFileTest {
    private static final String HOST = """
               7       0 loop0 12 0 96 3 0 0 0 0 0 4 3 0 0 0 0 0 0
             254       0 vda 334706 37898 14433706 326202 619601 565249 41200880 428567 0 99868 799893 454028 46 31725912 38182 116628 6941
             254       1 vda1 334000 37000 14433000 326000 619000 565000 41200000 428000 0 99000 799000 454000 46 31725000 38000 0 0
             253       0 zram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
            """;

    private static BlkioCounters counters(String text) throws IOException {
        return BlkioCounters.parse(text, "test");
    }

    /** What a CFQ-era kernel's blkio files say for a container that used vda only. */
    private static BlkioCgroup cfqCgroup() throws IOException {
        return new BlkioCgroup(
                counters("254:0 Read 10\n254:0 Write 20\n254:0 Sync 30\n254:0 Async 0\n254:0 Discard 2\n254:0 Total 32\nTotal 32\n"),
                counters("254:0 Read 40960\n254:0 Write 1048576\n254:0 Discard 8192\n254:0 Total 1097728\nTotal 1097728\n"),
                counters("254:0 Read 1\n254:0 Write 3\n254:0 Discard 0\n254:0 Total 4\nTotal 4\n"),
                counters("254:0 Read 5500000\n254:0 Write 7000000\n254:0 Discard 999999\n254:0 Total 12500000\nTotal 12500000\n"),
                counters("254:0 Read 2600000\n254:0 Write 0\n254:0 Discard 1000000\n254:0 Total 3600000\nTotal 3600000\n"));
    }

    @Test
    void onlyTheDevicesTheContainerUsedWithItsOwnCountsInTheKernelsLayout() throws IOException {
        String out = DiskstatsFile.render(HOST, cfqCgroup());
        // reads, merged, sectors (bytes / 512), ms (service 5 + wait 2), writes, merged, sectors, ms (7 + 0),
        // in flight 0, ms doing I/O (total service 12), weighted 0, discards 2, merged 0, sectors 16,
        // ms (0 + 1), flushes 0 and their ms 0. The partition, loop0 and zram0: nothing from this cgroup.
        assertEquals(" 254       0 vda 10 1 80 7 20 3 2048 7 0 12 0 2 0 16 1 0 0\n", out);
    }

    @Test
    void eachLineKeepsTheHostsNumberOfFields() throws IOException {
        String older = " 254       0 vda 1 2 3 4 5 6 7 8 9 10 11\n";
        assertEquals(" 254       0 vda 10 1 80 7 20 3 2048 7 0 12 0\n", DiskstatsFile.render(older, cfqCgroup()));
    }

    @Test
    void aContainerWithoutIoSeesNoDevices() throws IOException {
        BlkioCgroup idle = new BlkioCgroup(counters("Total 0\n"), counters("Total 0\n"), BlkioCounters.NONE,
                BlkioCounters.NONE, BlkioCounters.NONE);
        assertEquals("", DiskstatsFile.render(HOST, idle));
    }

    @Test
    void withOnlyTheThrottleFilesMergesAndTimesAreZero() throws IOException {
        BlkioCgroup throttle = new BlkioCgroup(counters("7:0 Read 3\n7:0 Write 4\n7:0 Discard 0\n7:0 Total 7\nTotal 7\n"),
                counters("7:0 Read 12288\n7:0 Write 262144\n7:0 Total 274432\nTotal 274432\n"), BlkioCounters.NONE,
                BlkioCounters.NONE, BlkioCounters.NONE);
        assertEquals("   7       0 loop0 3 0 24 0 4 0 512 0 0 0 0 0 0 0 0 0 0\n", DiskstatsFile.render(HOST, throttle));
    }

    @Test
    void aMalformedCgroupFileSaysWhereAndWhat() {
        IOException e = assertThrows(IOException.class,
                () -> BlkioCounters.parse("254:0 Read lots\n", "/sys/fs/cgroup/blkio/c/blkio.io_serviced_recursive"));
        assertTrue(e.getMessage().contains("blkio.io_serviced_recursive") && e.getMessage().contains("254:0 Read lots"),
                e.getMessage());
    }
}
