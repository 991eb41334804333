package io.sysbox.setup.spec;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuntimeCapabilitiesTest {

    private static String status() throws IOException {
        return Files.readString(Path.of("/proc/self/status"));
    }

    private static int lastCap() throws IOException {
        try (var in = new java.io.FileInputStream("/proc/sys/kernel/cap_last_cap")) {
            return Integer.parseInt(new String(in.readAllBytes()).strip());
        }
    }

    /** Parsed here independently of the production code. */
    private static BigInteger field(String status, String name) {
        return status.lines().filter(l -> l.startsWith(name + ":")).findFirst()
                .map(l -> new BigInteger(l.substring(name.length() + 1).strip(), 16))
                .orElseThrow();
    }

    private static String replaceField(String status, String name, BigInteger value) {
        return status.lines()
                .map(l -> l.startsWith(name + ":") ? name + ":\t" + String.format("%016x", value) : l)
                .reduce((a, b) -> a + "\n" + b).orElseThrow() + "\n";
    }

    /** What capsh (libcap) calls the bits of MASK, in OCI spelling. */
    private static List<String> capshNames(BigInteger mask) throws Exception {
        Process p = new ProcessBuilder("capsh", "--decode=" + mask.toString(16)).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes()).strip();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            String list = out.substring(out.indexOf('=') + 1);
            if (list.isEmpty()) return List.of();
            return Arrays.stream(list.split(",")).map(n -> n.toUpperCase(Locale.ROOT)).toList();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void holdsExactlyTheEffectiveBitsThatAreInTheBoundingSet() throws Exception {
        String status = status();
        BigInteger held = field(status, "CapEff").and(field(status, "CapBnd"));
        List<String> names = RuntimeCapabilities.ofThisProcess().names();
        for (int bit = 0; bit <= Math.min(lastCap(), CapabilityNames.lastKnown()); bit++) {
            String name = CapabilityNames.of(bit).orElseThrow();
            assertEquals(held.testBit(bit), names.contains(name), name + " (bit " + bit + ")");
        }
        assertEquals(held.bitCount(), names.size(), names.toString());
    }

    @Test
    void namesMatchWhatLibcapCallsTheseBits() throws Exception {
        String status = status();
        BigInteger held = field(status, "CapEff").and(field(status, "CapBnd"));
        assertEquals(capshNames(held), RuntimeCapabilities.ofThisProcess().names());
    }

    @Test
    void aCapabilityMissingFromTheBoundingSetIsNotHeld() throws Exception {
        String status = status();
        BigInteger bounding = field(status, "CapBnd");
        // On this machine CAP_SYS_RESOURCE (24) is absent from the bounding set; whatever the
        // machine, the runtime's answer follows the kernel's mask.
        assertEquals(bounding.testBit(24), RuntimeCapabilities.ofThisProcess().names().contains("CAP_SYS_RESOURCE"));

        String withoutNetAdmin = replaceField(status, "CapBnd", bounding.clearBit(12));
        List<String> names = RuntimeCapabilities.fromStatus(withoutNetAdmin, lastCap()).names();
        assertFalse(names.contains("CAP_NET_ADMIN"), names.toString());
        assertEquals(field(status, "CapEff").testBit(12),
                RuntimeCapabilities.fromStatus(status, lastCap()).names().contains("CAP_NET_ADMIN"));

        String notEffective = replaceField(status, "CapEff", field(status, "CapEff").clearBit(21));
        assertFalse(RuntimeCapabilities.fromStatus(notEffective, lastCap()).names().contains("CAP_SYS_ADMIN"));
    }

    @Test
    void readsTheStatusOfAProcessWithAReducedBoundingSet() throws Exception {
        Process p = new ProcessBuilder("setpriv", "--bounding-set", "-sys_admin,-net_raw", "cat", "/proc/self/status")
                .redirectErrorStream(true).start();
        String childStatus;
        try {
            childStatus = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), childStatus);
        } finally {
            p.destroyForcibly();
        }
        List<String> names = RuntimeCapabilities.fromStatus(childStatus, lastCap()).names();
        assertFalse(names.contains("CAP_SYS_ADMIN"), names.toString());
        assertFalse(names.contains("CAP_NET_RAW"), names.toString());
        BigInteger held = field(childStatus, "CapEff").and(field(childStatus, "CapBnd"));
        assertEquals(capshNames(held), names);
    }

    @Test
    void skipsBitsAboveCapLastCapAndAboveTheNameTable() throws Exception {
        String status = status();
        BigInteger held = field(status, "CapEff").and(field(status, "CapBnd"));
        List<String> upTo37 = RuntimeCapabilities.fromStatus(status, 37).names();
        List<String> expected = new ArrayList<>();
        for (int bit = 0; bit <= 37; bit++) {
            if (held.testBit(bit)) expected.add(CapabilityNames.of(bit).orElseThrow());
        }
        assertEquals(expected, upTo37);
        assertFalse(upTo37.contains("CAP_PERFMON") || upTo37.contains("CAP_BPF")
                || upTo37.contains("CAP_CHECKPOINT_RESTORE"));

        // A future kernel's bit 45 has no name here: it is left out, not an error.
        String future = replaceField(replaceField(status, "CapEff", field(status, "CapEff").setBit(45)),
                "CapBnd", field(status, "CapBnd").setBit(45));
        assertEquals(RuntimeCapabilities.fromStatus(status, 63).names(), RuntimeCapabilities.fromStatus(future, 63).names());
    }

    @Test
    void nameTableFollowsTheKernelAbi() {
        assertEquals("CAP_CHOWN", CapabilityNames.of(0).orElseThrow());
        assertEquals("CAP_SYS_ADMIN", CapabilityNames.of(21).orElseThrow());
        assertEquals("CAP_SYS_RESOURCE", CapabilityNames.of(24).orElseThrow());
        assertEquals("CAP_PERFMON", CapabilityNames.of(38).orElseThrow());
        assertEquals("CAP_BPF", CapabilityNames.of(39).orElseThrow());
        assertEquals("CAP_CHECKPOINT_RESTORE", CapabilityNames.of(40).orElseThrow());
        assertEquals(40, CapabilityNames.lastKnown());
        assertTrue(CapabilityNames.of(41).isEmpty());
    }
}
