package io.sysbox.setup.spec;

import io.sysbox.common.oci.Mount;
import io.sysbox.common.oci.Spec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manager's sysfs of a network namespace the container does not own replaces the /sys mount. */
class NetworkSysfsBindTest {
    private static final String SOURCE = "/var/lib/sysbox/shifted/c1/sysfs";

    private static Mount sys(Spec spec) {
        List<Mount> found = spec.mountList().stream().filter(m -> m.destination().equals("/sys")).toList();
        assertEquals(1, found.size(), spec.mounts().toString());
        return found.getFirst();
    }

    @Test
    void systemContainerBindsTheManagersSysfsAtSysWithSysfsFlags() {
        Spec spec = TestSpecs.docker();
        SpecConverter.convert(spec, TestSpecs.withNetworkSysfs(TestSpecs.inputs(RuntimeCapabilities.ofThisProcess()), SOURCE));
        Mount sys = sys(spec);
        assertEquals("bind", sys.type());
        assertEquals(SOURCE, sys.source());
        assertTrue(sys.options().containsAll(List.of("bind", "nosuid", "noexec", "nodev")), sys.options().toString());
        assertTrue(!sys.options().contains("ro"), "a system container's /sys is writable: " + sys.options());
    }

    @Test
    void readOnlyRootKeepsSysReadOnly() {
        Spec spec = TestSpecs.docker();
        spec.json().with("root").put("readonly", true);
        SpecConverter.convert(spec, TestSpecs.withNetworkSysfs(TestSpecs.inputs(RuntimeCapabilities.ofThisProcess()), SOURCE));
        assertTrue(sys(spec).options().contains("ro"), sys(spec).options().toString());
    }

    @Test
    void plainContainerModeBindsItToo() {
        Spec spec = TestSpecs.docker();
        ConversionInputs plain = TestSpecs.withSyscontMode(TestSpecs.inputs(RuntimeCapabilities.ofThisProcess()), false);
        SpecConverter.convert(spec, TestSpecs.withNetworkSysfs(plain, SOURCE));
        assertEquals("bind", sys(spec).type());
        assertEquals(SOURCE, sys(spec).source());
    }

    @Test
    void withoutItSysStaysASysfsMount() {
        Spec spec = TestSpecs.docker();
        SpecConverter.convert(spec, TestSpecs.inputs(RuntimeCapabilities.ofThisProcess()));
        assertEquals("sysfs", sys(spec).type());
    }
}
