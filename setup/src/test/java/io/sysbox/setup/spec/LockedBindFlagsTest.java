package io.sysbox.setup.spec;

import io.sysbox.common.oci.Mount;
import io.sysbox.common.oci.Spec;
import io.sysbox.common.sys.MountFlags;
import io.sysbox.common.sys.MountApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LockedBindFlagsTest {
    private static final long NOSUID = 2, NOEXEC = 8;
    private static final String SPEC = """
            {"ociVersion":"1.0.2","root":{"path":"rootfs"},"mounts":[
              {"destination":"/dev/shm","type":"bind","source":"/host/shm","options":["rbind","ro"]},
              {"destination":"/data","type":"none","source":"/host/data","options":["rbind","rw"]},
              {"destination":"/etc/hosts","type":"bind","source":"/host/hosts","options":["rbind","rprivate"]},
              {"destination":"/tmp","type":"tmpfs","source":"tmpfs","options":["nosuid"]}
            ]}""";

    private static Mount at(Spec spec, String destination) {
        return spec.mountList().stream().filter(m -> m.destination().equals(destination)).findFirst().orElseThrow();
    }

    @Test
    void eachBindCarriesItsSourcesLockedFlags() {
        Spec spec = TestSpecs.parse(SPEC);
        Map<String, MountFlags> flags = Map.of(
                "/host/shm", new MountFlags(MountFlags.ST_NOSUID | MountFlags.ST_NODEV | MountFlags.ST_NOEXEC),
                "/host/data", new MountFlags(MountFlags.ST_RDONLY),
                "/host/hosts", new MountFlags(0));
        LockedBindFlags.apply(spec.mounts(), source -> Optional.ofNullable(flags.get(source)));

        assertEquals(Set.of("rbind", "ro", "nosuid", "nodev", "noexec"), Set.copyOf(at(spec, "/dev/shm").options()));
        // A read-only source cannot become writable in a user namespace: ask for what the kernel gives.
        assertEquals(List.of("rbind", "ro"), at(spec, "/data").options());
        assertEquals(List.of("rbind", "rprivate"), at(spec, "/etc/hosts").options());
        assertEquals(List.of("nosuid"), at(spec, "/tmp").options(), "not a bind: untouched");
    }

    @Test
    void aSourceWhoseFlagsCannotBeReadIsLeftAsItIs() {
        Spec spec = TestSpecs.parse(SPEC);
        LockedBindFlags.apply(spec.mounts(), source -> Optional.empty());
        assertEquals(List.of("rbind", "ro"), at(spec, "/dev/shm").options());
    }

    @Test
    void flagsAreReadFromTheKernel(@TempDir Path dir) throws Exception {
        MountApi.mount("tmpfs", dir.toString(), "tmpfs", NOSUID | NOEXEC | MountApi.MS_RDONLY, null);
        try {
            MountFlags flags = MountFlags.of(dir.toString());
            assertTrue(flags.has(MountFlags.ST_NOSUID) && flags.has(MountFlags.ST_NOEXEC) && flags.has(MountFlags.ST_RDONLY),
                    "tmpfs mounted nosuid,noexec,ro: " + flags);
            assertFalse(flags.has(MountFlags.ST_NODEV));
        } finally {
            MountApi.umount(dir.toString(), MountApi.MNT_DETACH);
        }
    }
}
