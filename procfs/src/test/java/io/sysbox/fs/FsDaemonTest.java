package io.sysbox.fs;

import io.sysbox.common.daemon.StartupException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sysbox.common.proto.RegisterRequest;
import io.sysbox.common.proto.RegisterResponse;
import io.sysbox.common.proto.ServedEntry;
import io.sysbox.common.proto.UnregisterRequest;
import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.testing.MemoryCgroupFixture;
import io.sysbox.fs.testing.Mounts;
import io.sysbox.fs.testing.SysFsClient;
import io.sysbox.fs.testing.TempDirs;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon in-process: pid file, FUSE mount and gRPC registration together. */
class FsDaemonTest {
    private static final Logger LOG = LogManager.getLogger("sysbox-fs-test");

    private Path base;
    private FsOptions options;

    @BeforeEach
    void setUp() throws Exception {
        base = TempDirs.create("sysboxfs-daemon-");
        options = new FsOptions(base.resolve("run"), base.resolve("mnt"), Optional.empty(), io.sysbox.common.daemon.LogLevel.INFO,
                io.sysbox.common.daemon.LogFormat.TEXT, 2);
    }

    @AfterEach
    void tearDown() throws Exception {
        assertFalse(Mounts.isMountPoint(options.mountpoint()), "the daemon left its mount behind");
        TempDirs.delete(base);
    }

    @Test
    void registersOverGrpcServesTheFilesAndCleansUpOnClose() throws Exception {
        FsDaemon daemon = FsDaemon.start(options, LOG);
        try (MemoryCgroupFixture cgroup = MemoryCgroupFixture.create(256L << 20);
             SysFsClient client = SysFsClient.connect(daemon.grpcSocket())) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(options.runDir().resolve("sysfs.pid")));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(daemon.grpcSocket())));

            StartupException second = assertThrows(StartupException.class, () -> FsDaemon.start(options, LOG));
            assertTrue(second.getMessage().contains("pid " + ProcessHandle.current().pid()), second.getMessage());

            RegisterResponse registered = client.stub().register(RegisterRequest.newBuilder().setId("web")
                    .setStartBoottimeNs(BootClock.nanos() - 5_000_000_000L)
                    .putCgroupPaths("memory", cgroup.dir().toString()).build());
            Path dir = Path.of(registered.getPath());
            assertEquals(options.mountpoint().resolve("web").toAbsolutePath(), dir);
            double uptime = Double.parseDouble(Files.readString(dir.resolve("proc/uptime")).split(" ")[0]);
            assertTrue(uptime >= 5 && uptime < 10, "uptime " + uptime);
            assertTrue(Files.readString(dir.resolve("proc/meminfo")).startsWith("MemTotal:         262144 kB\n"));

            // What Register answers is what the FUSE tree holds: every served path exists with its
            // kind, read-only files also on the read-only connection, and no emulated file is left out.
            Path readOnlyDir = Path.of(registered.getReadOnlyPath());
            Set<String> servedFiles = new HashSet<>();
            for (ServedEntry entry : registered.getServedList()) {
                Path path = dir.resolve(entry.getPath());
                assertEquals(entry.getDirectory(), Files.isDirectory(path), entry.getPath());
                if (!entry.getDirectory()) {
                    servedFiles.add(entry.getPath());
                    assertTrue(Files.isRegularFile(path), entry.getPath());
                    assertEquals(entry.getReadOnly(), Files.isRegularFile(readOnlyDir.resolve(entry.getPath())), entry.getPath());
                }
            }
            assertTrue(servedFiles.containsAll(List.of("proc/uptime", "proc/meminfo", "sys/devices/system/cpu/online")),
                    servedFiles.toString());
            try (Stream<Path> walk = Files.walk(dir.resolve("proc/sys"))) {
                Set<String> sysctls = walk.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString())
                        .collect(Collectors.toSet());
                assertFalse(sysctls.isEmpty());
                assertTrue(servedFiles.containsAll(sysctls), "every sysctl file is in the answer");
            }

            // A container known by its pid only: its start time is that process's.
            client.stub().register(RegisterRequest.newBuilder().setId("by-pid").setPid(ProcessHandle.current().pid()).build());
            double sinceJvmStart = Double.parseDouble(Files.readString(options.mountpoint().resolve("by-pid/proc/uptime"))
                    .split(" ")[0]);
            double jvmAge = (System.currentTimeMillis() - ProcessHandle.current().info().startInstant().orElseThrow()
                    .toEpochMilli()) / 1000.0;
            assertTrue(Math.abs(sinceJvmStart - jvmAge) < 1.0, sinceJvmStart + " vs " + jvmAge);

            StatusRuntimeException dup = assertThrows(StatusRuntimeException.class, () -> client.stub()
                    .register(RegisterRequest.newBuilder().setId("web").build()));
            assertEquals(Status.Code.ALREADY_EXISTS, dup.getStatus().getCode());
            StatusRuntimeException relative = assertThrows(StatusRuntimeException.class, () -> client.stub()
                    .register(RegisterRequest.newBuilder().setId("x").putCgroupPaths("memory", "foo/bar").build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, relative.getStatus().getCode());
            assertTrue(relative.getStatus().getDescription().contains("not absolute"));
            StatusRuntimeException empty = assertThrows(StatusRuntimeException.class, () -> client.stub()
                    .register(RegisterRequest.newBuilder().build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());

            assertTrue(client.stub().unregister(UnregisterRequest.newBuilder().setId("web").build()).getExisted());
            assertFalse(Files.exists(dir));
            assertFalse(client.stub().unregister(UnregisterRequest.newBuilder().setId("web").build()).getExisted());
        } finally {
            daemon.close();
        }
        assertFalse(Files.exists(options.runDir().resolve("sysfs.sock")));
        assertFalse(Files.exists(options.runDir().resolve("sysfs.pid")));
    }
}
