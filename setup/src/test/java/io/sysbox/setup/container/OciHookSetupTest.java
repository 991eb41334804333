package io.sysbox.setup.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.Libexec;
import io.sysbox.setup.resources.ContainerResources;
import io.sysbox.setup.resources.EmulatedTree;
import io.sysbox.setup.resources.Preparation;
import io.sysbox.setup.resources.Prepared;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OCI hooks mode's decisions, from OCI states and bundles as runc hands them to hooks, against
 * resources that record what they are asked (the manager's own are ManagerServiceTest's).
 */
class OciHookSetupTest {
    private static final IdMapping RANGE = new IdMapping(0, 100000, 65536);

    @TempDir
    Path dir;
    private Path bundle;
    private Path libexec;
    private final Recorder resources = new Recorder();

    /** What the setup asked for, and what it is answered. */
    static final class Recorder implements ContainerResources {
        final List<Preparation> prepared = new ArrayList<>();
        final List<String> released = new ArrayList<>();
        final List<Map<String, Path>> emulatedCgroups = new ArrayList<>();
        Map<Integer, String> clones = Map.of();
        Optional<EmulatedTree> emulation = Optional.empty();
        boolean syscontMode = true;

        @Override
        public Prepared prepare(Preparation request) {
            prepared.add(request);
            return new Prepared(request.uidMappings().getFirst(), request.gidMappings().getFirst(),
                    request.rootfs().toString(), clones, Map.of(), false, syscontMode);
        }

        @Override
        public void release(String id) {
            released.add(id);
        }

        @Override
        public boolean managed() {
            return true;
        }

        @Override
        public Optional<EmulatedTree> emulate(String id, Map<String, Path> cgroupDirs, int rootUid, int rootGid,
                                      Optional<String> shareStateWith) {
            emulatedCgroups.add(cgroupDirs);
            return emulation;
        }
    }

    @BeforeEach
    void bundle() throws Exception {
        bundle = Files.createDirectories(dir.resolve("bundle"));
        Files.createDirectories(bundle.resolve("rootfs"));
        libexec = Files.createDirectories(dir.resolve("libexec"));
        Path helper = Files.writeString(libexec.resolve(ProcSysHook.NAME), "#!/bin/sh\n");
        helper.toFile().setExecutable(true);
    }

    private void writeSpec(Spec spec) throws IOException {
        spec.json().putObject("root").put("path", "rootfs");
        spec.write(bundle.resolve("config.json"));
    }

    private Spec spec() throws InvalidSpecException {
        return OciHookSpecTest.podmanSpec(List.of(RANGE), List.of(RANGE));
    }

    private static void bind(Spec spec, String source, String destination) {
        ObjectNode m = Spec.arrayIn(spec.json(), "mounts").addObject();
        m.put("destination", destination).put("type", "bind").put("source", source);
        m.putArray("options").add("rbind").add("ro");
    }

    private byte[] state(String status, boolean annotated) {
        long pid = ProcessHandle.current().pid();
        return ("{\"ociVersion\":\"1.0.2-dev\",\"id\":\"c1\",\"status\":\"" + status + "\",\"pid\":" + pid
                + ",\"bundle\":\"" + bundle + "\",\"annotations\":{" + (annotated ? "\"io.sysbox.syscont\":\"true\"" : "")
                + "}}").getBytes(StandardCharsets.UTF_8);
    }

    private List<String> handle(byte[] state) throws Exception {
        return new OciHookSetup(resources, Libexec.at(libexec), m -> {}).handle(state, ProcessHandle.current().pid());
    }

    @Test
    void anUnannotatedContainerIsLeftAloneWhateverItsSpec() throws Exception {
        Files.writeString(bundle.resolve("config.json"), "not even JSON");
        assertEquals(List.of(), handle(state("creating", false)));
        assertEquals(List.of(), handle(state("stopped", false)));
        byte[] otherValue = ("{\"id\":\"c1\",\"status\":\"creating\",\"pid\":1,\"bundle\":\"" + bundle
                + "\",\"annotations\":{\"io.sysbox.syscont\":\"false\"}}").getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of(), handle(otherValue));
        assertEquals(List.of(), resources.prepared);
        assertEquals(List.of(), resources.released);
    }

    /** The spec with two binds: one never idmapped (a device), one of a directory at DATA. */
    private void writeSpecWithBinds(String data) throws Exception {
        Spec spec = spec();
        bind(spec, "/dev/null", "/dev/kmsg");
        bind(spec, dir.resolve("volume").toString(), data);
        writeSpec(spec);
    }

    @Test
    void createRuntimeRecordsTheSpecsOwnRangeWatchesTheInitAndLeavesTheRootfs() throws Exception {
        writeSpecWithBinds("/data");
        assertEquals(List.of(), handle(state("creating", true)), "nothing idmapped, nobody emulates: nothing to bind");
        Preparation p = resources.prepared.getFirst();
        assertEquals("c1", p.id());
        assertTrue(p.ociHooks());
        assertEquals(List.of(RANGE), p.uidMappings());
        assertEquals(List.of(RANGE), p.gidMappings());
        assertEquals(bundle.resolve("rootfs").toRealPath(), p.rootfs());
        assertEquals(ProcessHandle.current().pid(), p.watchPid(), "the container's init, from the state");
        assertEquals("", p.runtimeStateDir().toString(), "nothing but the init's exit to wait for");
        assertEquals(List.of(0, 1), p.bindMounts().stream().map(Preparation.BindSource::index).toList());
        assertEquals(dir.resolve("volume"), p.bindMounts().get(1).source());
        assertEquals(List.of(), resources.released);
    }

    @Test
    void theAnswerRebindsTheIdmappedClonesAndBindsTheEmulatedFiles() throws Exception {
        writeSpecWithBinds("/data/");
        // What sysbox-fs's Register answers: uptime also on the read-only connection, panic writable.
        Path emulated = dir.resolve("fs/c1");
        Path readOnly = dir.resolve("fs/.ro/c1");
        resources.emulation = Optional.of(new EmulatedTree(emulated, readOnly, Set.of("proc", "proc/sys"),
                Set.of("proc/uptime", "proc/sys/kernel/panic"), Set.of("proc/uptime")));
        resources.clones = Map.of(1, "/data-root/shifted/c1/mounts/1");
        List<String> command = handle(state("creating", true));
        String rootfs = bundle.resolve("rootfs").toRealPath().toString();
        assertEquals(List.of(libexec.resolve(ProcSysHook.NAME).toString(),
                "--sources-in", "/proc/" + ProcessHandle.current().pid() + "/ns/mnt",
                "--rebind", rootfs, "/data-root/shifted/c1/mounts/1", "/data",
                emulated.resolve("proc/sys/kernel/panic").toString(), rootfs + "/proc/sys/kernel/panic",
                readOnly.resolve("proc/uptime").toString(), rootfs + "/proc/uptime"), command);
        // Registered with the cgroups the init is in (this test's own process stands in for it; v1 hosts).
        String memory = Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.contains(":memory:"))
                .map(l -> l.substring(l.indexOf(":memory:") + 8)).findFirst().orElseThrow();
        assertEquals(Path.of("/sys/fs/cgroup/memory" + memory).normalize(), resources.emulatedCgroups.getFirst().get("memory"));
    }

    @Test
    void syscontModeFalseRegistersNothing() throws Exception {
        Spec spec = spec();
        Spec.arrayIn(spec.process(), "env").add("SYSBOX_SYSCONT_MODE=FALSE");
        writeSpec(spec);
        resources.emulation = Optional.of(new EmulatedTree(dir.resolve("fs/c1"), dir.resolve("fs/.ro/c1"), Set.of("proc"),
                Set.of("proc/uptime"), Set.of()));
        assertEquals(List.of(), handle(state("creating", true)));
        assertEquals(List.of(), resources.emulatedCgroups);
    }

    @Test
    void aRefusedSpecPreparesNothingAndNamesTheContainer() throws Exception {
        writeSpec(OciHookSpecTest.podmanSpec(List.of(new IdMapping(0, 0, 65536)), List.of(RANGE)));
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> handle(state("creating", true)));
        assertTrue(e.getMessage().startsWith("container c1: linux.uidMappings entry \"0 0 65536\" maps container uid 0"
                + " to host uid 0"), e.getMessage());
        assertEquals(List.of(), resources.prepared);
    }

    @Test
    void aMissingRootfsIsNamedBeforeAnythingIsPrepared() throws Exception {
        Spec spec = spec();
        writeSpec(spec);
        Files.delete(bundle.resolve("rootfs"));
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> handle(state("creating", true)));
        assertTrue(e.getMessage().startsWith("container c1: rootfs " + bundle.resolve("rootfs") + " (root.path of "),
                e.getMessage());
        assertEquals(List.of(), resources.prepared);
    }

    @Test
    void aFailureAfterPrepareReleasesWhatItMade() throws Exception {
        writeSpec(spec());
        resources.emulation = Optional.of(new EmulatedTree(dir.resolve("fs/c1"), dir.resolve("fs/.ro/c1"), Set.of("proc"),
                Set.of("proc/uptime"), Set.of()));
        Files.delete(libexec.resolve(ProcSysHook.NAME));
        IOException e = assertThrows(IOException.class, () -> handle(state("creating", true)));
        assertTrue(e.getMessage().contains("sysbox-procsys-hook is missing"), e.getMessage());
        assertEquals(List.of("c1"), resources.released);
    }

    @Test
    void poststopReleasesAndOtherStagesAreRefused() throws Exception {
        assertEquals(List.of(), handle(state("stopped", true)));
        assertEquals(List.of("c1"), resources.released);
        InvalidSpecException running = assertThrows(InvalidSpecException.class, () -> handle(state("running", true)));
        assertTrue(running.getMessage().contains("not in state \"running\"; check the stages of the hooks.d file"),
                running.getMessage());
    }

    @Test
    void badStatesAreRefused() {
        for (String bad : List.of("", "[]", "{\"status\":\"creating\"}", "{\"id\":\"c1\"")) {
            assertThrows(InvalidSpecException.class, () -> handle(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
        byte[] relative = "{\"id\":\"c1\",\"status\":\"creating\",\"pid\":7,\"bundle\":\"b\",\"annotations\":{\"io.sysbox.syscont\":\"true\"}}"
                .getBytes(StandardCharsets.UTF_8);
        InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> handle(relative));
        assertTrue(e.getMessage().contains("bundle \"b\" is not an absolute path"), e.getMessage());
        byte[] badId = "{\"id\":\"../x\",\"status\":\"stopped\",\"annotations\":{\"io.sysbox.syscont\":\"true\"}}"
                .getBytes(StandardCharsets.UTF_8);
        assertThrows(InvalidSpecException.class, () -> handle(badId));
        assertEquals(List.of(), resources.released);
    }

    @Test
    void aBindWithALaterMountAtOrBelowItsDestinationIsLeftAsTheRuntimeMadeIt() throws Exception {
        Spec spec = spec();
        bind(spec, "/v1", "/data");
        bind(spec, "/v2", "/data/sub");
        bind(spec, "/v3", "/other");
        bind(spec, "/v4", "/other");
        bind(spec, "/v5", "/database");
        Map<Integer, String> clones = new HashMap<>();
        for (int i = 0; i < 5; i++) clones.put(i, "/clone/" + i);
        assertEquals(List.of(new ProcSysHook.Rebind("/clone/1", "/data/sub"), new ProcSysHook.Rebind("/clone/3", "/other"),
                new ProcSysHook.Rebind("/clone/4", "/database")), OciHookSetup.rebinds(spec, clones));
    }
}
