package io.sysbox.setup.container;

import com.fasterxml.jackson.databind.JsonNode;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.Libexec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcSysHookTest {
    private static final ProcSysHook HOOK = new ProcSysHook(Path.of("/opt/sysbox/libexec/sysbox-procsys-hook"));

    private static Spec spec(String json) throws Exception {
        return Spec.parse(json.getBytes(StandardCharsets.UTF_8), "test");
    }

    private static List<String> texts(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }

    @Test
    void bindsGoAfterTheCallersOwnHooksAsSourceAndAbsoluteDestinationPairs() throws Exception {
        Spec spec = spec("{\"root\":{\"path\":\"/var/lib/sysbox/c1/rootfs\"},"
                + "\"hooks\":{\"createRuntime\":[{\"path\":\"/usr/bin/theirs\"}]}}");
        HOOK.addTo(spec, Map.of("/proc/sys/vm/overcommit_memory", "/fs/c1/proc/sys/vm/overcommit_memory",
                "/proc/sys/kernel/panic", "/fs/c1/proc/sys/kernel/panic"));
        JsonNode hooks = spec.json().path("hooks").path("createRuntime");
        assertEquals(2, hooks.size(), hooks.toString());
        assertEquals("/usr/bin/theirs", hooks.get(0).path("path").asText());
        JsonNode ours = hooks.get(1);
        assertEquals("/opt/sysbox/libexec/sysbox-procsys-hook", ours.path("path").asText());
        assertEquals(List.of("sysbox-procsys-hook",
                "/fs/c1/proc/sys/kernel/panic", "/var/lib/sysbox/c1/rootfs/proc/sys/kernel/panic",
                "/fs/c1/proc/sys/vm/overcommit_memory", "/var/lib/sysbox/c1/rootfs/proc/sys/vm/overcommit_memory"),
                texts(ours.path("args")));
        assertTrue(ours.path("timeout").asInt() > 0, ours.toString());
    }

    @Test
    void devicesVirtualKeepsTheContainersOwnNetDirectory() throws Exception {
        Spec spec = spec("{\"root\":{\"path\":\"/r\"}}");
        HOOK.addTo(spec, Map.of("/sys/devices/virtual", "/fs/c1/sys/devices/virtual",
                "/proc/sys/kernel/panic", "/fs/c1/proc/sys/kernel/panic"));
        assertEquals(List.of("sysbox-procsys-hook", "--keep", "/r/sys/devices/virtual/net",
                "/fs/c1/proc/sys/kernel/panic", "/r/proc/sys/kernel/panic",
                "/fs/c1/sys/devices/virtual", "/r/sys/devices/virtual"),
                texts(spec.json().path("hooks").path("createRuntime").get(0).path("args")));
    }

    @Test
    void theOciHooksCommandRebindsInTheGivenOrderThenBindsAnywhereOnProcAndSys() {
        assertEquals(List.of("/opt/sysbox/libexec/sysbox-procsys-hook", "--sources-in", "/proc/7/ns/mnt",
                "--keep", "/r/sys/devices/virtual/net",
                "--rebind", "/r", "/clone/2", "/data", "--rebind", "/r", "/clone/0", "/etc/hosts",
                "/fs/c1/proc/uptime", "/r/proc/uptime",
                "/fs/c1/sys/devices/virtual", "/r/sys/devices/virtual", "/fs/c1/sys/kernel", "/r/sys/kernel"),
                HOOK.command("/r", Path.of("/proc/7/ns/mnt"), List.of(new ProcSysHook.Rebind("/clone/2", "/data"),
                        new ProcSysHook.Rebind("/clone/0", "/etc/hosts")),
                        Map.of("/sys/kernel", "/fs/c1/sys/kernel", "/proc/uptime", "/fs/c1/proc/uptime",
                                "/sys/devices/virtual", "/fs/c1/sys/devices/virtual")));
    }

    @Test
    void noBindsNoHook() throws Exception {
        Spec spec = spec("{\"root\":{\"path\":\"/r\"}}");
        HOOK.addTo(spec, Map.of());
        assertFalse(spec.json().has("hooks"), spec.json().toString());
    }

    @Test
    void onlyProcSysDestinationsAndAnAbsoluteRootfs() throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> HOOK.addTo(spec("{\"root\":{\"path\":\"/r\"}}"), Map.of("/etc/passwd", "/x")));
        assertThrows(IllegalArgumentException.class,
                () -> HOOK.addTo(spec("{\"root\":{\"path\":\"/r\"}}"), Map.of("/sys/kernel", "/x")));
        assertThrows(IllegalArgumentException.class,
                () -> HOOK.addTo(spec("{\"root\":{\"path\":\"rootfs\"}}"), Map.of("/proc/sys/kernel/panic", "/x")));
    }

    @Test
    void aBuildWithoutTheHelperSaysWhatIsMissing(@TempDir Path libexec) {
        IOException e = assertThrows(IOException.class, () -> ProcSysHook.installed(Libexec.at(libexec)));
        assertTrue(e.getMessage().startsWith("sysbox-procsys-hook is missing at " + libexec) && e.getMessage().contains("./mvnw package"),
                e.getMessage());
    }

    @Test
    void theHelperIsFoundWhereTheConfigurationSays(@TempDir Path libexec) throws IOException {
        Path helper = Files.createFile(libexec.resolve(ProcSysHook.NAME));
        helper.toFile().setExecutable(true);
        assertEquals(helper, ProcSysHook.installed(Libexec.at(libexec)).helper());
        IOException unset = assertThrows(IOException.class, () -> ProcSysHook.installed(new Libexec(Optional.empty())));
        assertTrue(unset.getMessage().contains("-D" + Libexec.PROPERTY), unset.getMessage());
    }
}
