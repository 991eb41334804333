package io.sysbox.fs.emulation.cgroup;

import io.sysbox.fs.emulation.registry.Container;
import io.sysbox.fs.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which cgroup files the CPU view is read from, by what the registered directories hold. This
 * host has no cgroup v2 CPU controllers (they are bound to v1), so the v2 files are fixed text
 * in a directory laid out as the kernel lays out a v2 cgroup; real v1 cgroups are read in
 * CpuViewMountTest.
 */
class CpuCgroupReaderTest {
    private static Container container(Map<String, Path> cgroups) {
        return new Container("c", 0, cgroups, 0, 0, 0);
    }

    @Test
    void aV2DirectoryGivesTheEffectiveCpusetAndCpuMax() throws Exception {
        Path dir = TempDirs.create("sysboxfs-cgroup2-");
        try {
            // A v2 cgroup has both: cpuset.cpus is only what was asked, possibly empty.
            Files.writeString(dir.resolve("cpuset.cpus"), "\n");
            Files.writeString(dir.resolve("cpuset.cpus.effective"), "1-3\n");
            Files.writeString(dir.resolve("cpu.max"), "150000 100000\n");
            try (CpuCgroupReader reader = CpuCgroupReader.open(container(Map.of("unified", dir))).orElseThrow()) {
                CpuLimits limits = reader.read();
                assertEquals(List.of(1, 2, 3), limits.cpuset().orElseThrow().cpus());
                assertEquals(150_000, limits.quotaMicros());
                assertEquals(100_000, limits.periodMicros());
                // Files are read again at each read.
                Files.writeString(dir.resolve("cpu.max"), "max 100000\n");
                assertTrue(reader.read().quotaCpus().isEmpty());
            }
        } finally {
            TempDirs.delete(dir);
        }
    }

    @Test
    void v1DirectoriesWinOverTheUnifiedOneWhichIsThenNotEvenLookedAt() throws Exception {
        Path dir = TempDirs.create("sysboxfs-cgroup1-");
        try {
            // The names a v1 cpuset and cpu directory hold (the real ones are read in CpuViewMountTest).
            Files.writeString(dir.resolve("cpuset.cpus"), "0\n");
            Files.writeString(dir.resolve("cpu.cfs_quota_us"), "150000\n");
            Files.writeString(dir.resolve("cpu.cfs_period_us"), "100000\n");
            Path noUnified = dir.resolve("no-unified-cgroup-here");
            try (CpuCgroupReader reader = CpuCgroupReader.open(container(
                    Map.of("cpuset", dir, "cpu", dir, "unified", noUnified))).orElseThrow()) {
                CpuLimits limits = reader.read();
                assertEquals(List.of(0), limits.cpuset().orElseThrow().cpus());
                assertEquals(150_000, limits.quotaMicros());
            }
            // Without them the unified directory is what is read, and it must exist.
            NoSuchFileException gone = assertThrows(NoSuchFileException.class,
                    () -> CpuCgroupReader.open(container(Map.of("unified", noUnified))));
            assertTrue(gone.getMessage().contains(noUnified.toString()), gone.getMessage());
        } finally {
            TempDirs.delete(dir);
        }
    }

    @Test
    void aV2DirectoryWithoutCpuControllersGivesNoReaderSoTheHostsFilesShow() throws Exception {
        Path dir = TempDirs.create("sysboxfs-cgroup2-");
        try {
            Files.writeString(dir.resolve("cgroup.procs"), "");
            assertEquals(Optional.empty(), CpuCgroupReader.open(container(Map.of("unified", dir))).map(r -> "reader"));
            assertEquals(Optional.empty(), CpuCgroupReader.open(container(Map.of())).map(r -> "reader"));
        } finally {
            TempDirs.delete(dir);
        }
    }

    @Test
    void aV2CpuMaxThatIsNotQuotaAndPeriodIsReportedWithItsPath() throws Exception {
        Path dir = TempDirs.create("sysboxfs-cgroup2-");
        try {
            Files.writeString(dir.resolve("cpu.max"), "150000\n");
            try (CpuCgroupReader reader = CpuCgroupReader.open(container(Map.of("cpu", dir))).orElseThrow()) {
                IOException bad = assertThrows(IOException.class, reader::read);
                assertTrue(bad.getMessage().contains(dir.resolve("cpu.max").toString())
                        && bad.getMessage().contains("'150000'"), bad.getMessage());
            }
        } finally {
            TempDirs.delete(dir);
        }
    }

    @Test
    void registeredCpuOrCpusetDirectoriesMustExistAndBeOfThatController() throws Exception {
        Path dir = TempDirs.create("sysboxfs-cgroup-");
        try {
            IOException notCpuset = assertThrows(IOException.class,
                    () -> CpuCgroupReader.open(container(Map.of("cpuset", dir))));
            assertTrue(notCpuset.getMessage().contains(dir + " is not a cpuset cgroup directory"), notCpuset.getMessage());
            IOException notCpu = assertThrows(IOException.class, () -> CpuCgroupReader.open(container(Map.of("cpu", dir))));
            assertTrue(notCpu.getMessage().contains(dir + " is not a cpu cgroup directory"), notCpu.getMessage());
            Path missing = dir.resolve("gone");
            NoSuchFileException gone = assertThrows(NoSuchFileException.class,
                    () -> CpuCgroupReader.open(container(Map.of("cpuset", missing))));
            assertTrue(gone.getMessage().contains(missing.toString()) && gone.getMessage().contains("cpuset cgroup does not exist"),
                    gone.getMessage());
        } finally {
            TempDirs.delete(dir);
        }
    }
}
