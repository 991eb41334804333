package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.cgroup.BlkioCgroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cgroup v2's io.stat on a recorded file (as a 6.x kernel writes it) and the diskstats it gives. */
class BlkioCgroupV2Test {
    private static final String IO_STAT = """
            8:16 rbytes=1048576 wbytes=4194304 rios=16 wios=64 dbytes=0 dios=0
            7:0 rbytes=512 wbytes=0 rios=1 wios=0 dbytes=4096 dios=2 cost.vrate=100.00
            """;
    private static final String HOST = """
               7       0 loop0 50 0 100 10 0 0 0 0 0 20 10 0 0 0 0 0 0
               8      16 sdb 9000 10 123456 900 8000 20 654321 800 0 1200 1700 0 0 0 0 300 40
               8      17 sdb1 100 0 800 10 100 0 800 10 0 20 20 0 0 0 0 0 0
            """;

    @TempDir Path dir;

    @Test
    void operationsAndBytesPerDeviceFromIoStat() throws IOException {
        Files.writeString(dir.resolve("io.stat"), IO_STAT);
        BlkioCgroup io = BlkioCgroup.read(dir);
        assertEquals(16, io.serviced().of(8, 16, "Read"));
        assertEquals(64, io.serviced().of(8, 16, "Write"));
        assertEquals(4194304, io.serviceBytes().of(8, 16, "Write"));
        assertEquals(2, io.serviced().of(7, 0, "Discard"));
        assertEquals(4096, io.serviceBytes().of(7, 0, "Discard"));
        assertEquals(0, io.merged().of(8, 16, "Read"), "v2 keeps no merges");
    }

    @Test
    void diskstatsListsTheDevicesTheContainerUsedWithItsOwnCounts() throws IOException {
        Files.writeString(dir.resolve("io.stat"), IO_STAT);
        String view = DiskstatsFile.render(HOST, BlkioCgroup.read(dir));
        String[] lines = view.split("\n");
        assertEquals(2, lines.length, view);
        assertTrue(lines[0].contains(" loop0 1 0 1 0 0 0 0 0 0 0 0 2 0 8 0"), lines[0]);
        assertTrue(lines[1].contains(" sdb 16 0 2048 0 64 0 8192 0 0 0 0 0 0 0 0"), lines[1]);
    }

    @Test
    void aGarbledLineIsNamedInTheError() throws IOException {
        Files.writeString(dir.resolve("io.stat"), "8:16 rbytes=lots\n");
        IOException e = assertThrows(IOException.class, () -> BlkioCgroup.read(dir));
        assertTrue(e.getMessage().contains("io.stat") && e.getMessage().contains("rbytes=lots"), e.getMessage());
    }
}
