package io.sysbox.fs.emulation.proc.sys;

import io.sysbox.common.sys.KernelRelease;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SysctlSyntaxTest {
    private static void assertInvalid(SysctlSyntax syntax, String text) {
        FuseException e = assertThrows(FuseException.class, () -> syntax.parse(text, "proc/sys/x"), "'" + text + "' taken");
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("proc/sys/x: "), e.getMessage());
    }

    @Test
    void readsNumbersAsTheKernelDoes() throws Exception {
        assertEquals(List.of(5L), SysctlSyntax.INT.parse("5\n", "x"));
        assertEquals(List.of(-1L), SysctlSyntax.INT.parse("  -1  ", "x"));
        assertEquals(List.of(16L), SysctlSyntax.INT.parse("0x10", "x"));
        assertEquals(List.of(8L), SysctlSyntax.INT.parse("010", "x"));
        assertEquals(List.of(3L, 4L), SysctlSyntax.INT.times(4).parse("3\t4\n", "x"));
        assertEquals(List.of(Long.MAX_VALUE), SysctlSyntax.ULONG.parse("9223372036854775807", "x"));
    }

    @Test
    void refusesWhatTheRangeAndCountDoNotAllow() {
        SysctlSyntax overcommit = SysctlSyntax.range(0, 2);
        assertInvalid(overcommit, "3");
        assertInvalid(overcommit, "-1");
        assertInvalid(overcommit, "");
        assertInvalid(overcommit, " \n");
        assertInvalid(overcommit, "1 1");
        assertInvalid(overcommit, "+1");
        assertInvalid(overcommit, "1.5");
        assertInvalid(overcommit, "#1");
        assertInvalid(overcommit, "09");
        assertInvalid(SysctlSyntax.INT, "2147483648");
        assertInvalid(SysctlSyntax.ULONG, "18446744073709551615");
        assertInvalid(SysctlSyntax.INT.times(4), "1 2 3 4 5");
    }

    @Test
    void valuesPrintAsTheKernelPrintsThem() throws IOException {
        SysctlValue printk = SysctlValue.parse("4\t4\t1\t7\n", "printk");
        assertArrayEquals("4\t4\t1\t7\n".getBytes(), printk.render());
        assertArrayEquals("3\t5\t1\t7\n".getBytes(), printk.withLeading(List.of(3L, 5L)).render());
        IOException bad = assertThrows(IOException.class, () -> SysctlValue.parse("on\n", "/proc/sys/x"));
        assertTrue(bad.getMessage().contains("/proc/sys/x"), bad.getMessage());
    }

    @Test
    void kernelReleasesTellWhetherPidMaxIsNamespaced() throws IOException {
        assertTrue(KernelRelease.parse("6.18.44-fc-v657", "osrelease").namespacesPidMax());
        assertTrue(KernelRelease.parse("6.14.0", "osrelease").namespacesPidMax());
        assertTrue(KernelRelease.parse("7.0.1", "osrelease").namespacesPidMax());
        assertEquals(false, KernelRelease.parse("6.13.12", "osrelease").namespacesPidMax());
        assertEquals(false, KernelRelease.parse("5.15.0-91-generic", "osrelease").namespacesPidMax());
        IOException bad = assertThrows(IOException.class, () -> KernelRelease.parse("linux", "/proc/sys/kernel/osrelease"));
        assertTrue(bad.getMessage().contains("/proc/sys/kernel/osrelease"), bad.getMessage());
    }
}
