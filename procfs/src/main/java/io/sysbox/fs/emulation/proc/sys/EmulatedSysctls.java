package io.sysbox.fs.emulation.proc.sys;

import io.sysbox.common.sys.KernelRelease;
import io.sysbox.fs.emulation.file.EmulatedFile;
import io.sysbox.fs.emulation.file.Modes;
import io.sysbox.fs.emulation.tree.LayoutBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.sysbox.fs.emulation.proc.sys.SysctlSyntax.INT;
import static io.sysbox.fs.emulation.proc.sys.SysctlSyntax.NON_NEGATIVE_INT;
import static io.sysbox.fs.emulation.proc.sys.SysctlSyntax.ULONG;
import static io.sysbox.fs.emulation.proc.sys.SysctlSyntax.range;

/**
 * The proc/sys files sysbox-fs serves (SPEC §6). Only sysctls that need a value of the
 * container's own are here, each bound over the container's /proc/sys file of that path; the
 * rest of /proc/sys stays the kernel's. Namespaced sysctls (net.*, kernel.shm*, user.*,
 * kernel.pid_max since 6.14) then follow the caller's own namespaces and credentials, and the
 * kernel refuses writes to the global ones from a container's root, which is not root on the
 * host. A sysctl the host lacks (kernel.sysrq without CONFIG_MAGIC_SYSRQ, Yama's ptrace_scope)
 * is left out, like the host.
 *
 * <p>Not here although SPEC §6 lists them as MAX, because the kernel keeps them per network
 * namespace (writable in a fresh one without touching the host): net.core.somaxconn,
 * net.unix.max_dgram_qlen, net.netfilter.nf_conntrack_generic_timeout,
 * nf_conntrack_tcp_timeout_established and nf_conntrack_tcp_timeout_close_wait, and IPVS's
 * net.ipv4.vs.conntrack. nf_conntrack_max is global (read-only outside the initial network
 * namespace), so it is.
 */
public final class EmulatedSysctls {
    private EmulatedSysctls() {}

    /** Adds to {@code layout} those of the host under {@code hostProc}/sys. */
    public static void addTo(LayoutBuilder layout, Path hostProc) throws IOException {
        Path sys = hostProc.resolve("sys");
        Adder add = new Adder(layout, sys);

        // V: global knobs a container's init scripts set for themselves.
        if (!KernelRelease.of(hostProc).namespacesPidMax()) add.perContainer("kernel/pid_max", range(1, 4194304));
        add.perContainer("kernel/panic", INT);
        add.perContainer("kernel/panic_on_oops", INT);
        add.perContainer("kernel/printk", INT.times(4));
        add.perContainer("kernel/kptr_restrict", range(0, 3));
        add.perContainer("kernel/dmesg_restrict", range(0, 1));
        add.perContainer("kernel/sysrq", range(0, 511));
        add.perContainer("kernel/yama/ptrace_scope", range(0, 3));
        add.perContainer("vm/overcommit_memory", range(0, 2));
        add.perContainer("vm/mmap_min_addr", ULONG);
        add.perContainer("fs/protected_hardlinks", range(0, 1));
        add.perContainer("fs/protected_symlinks", range(0, 1));

        // MAX: global limits, raised on the host when a container needs more; the ranges are the kernel's.
        add.raiseOnly("fs/file-max", ULONG);
        add.raiseOnly("fs/nr_open", range(64, 2147483584L));
        add.raiseOnly("net/netfilter/nf_conntrack_max", NON_NEGATIVE_INT);

        add.readOnly("kernel/random/uuid", host -> new RandomUuidFile(Modes.of(host)));
        add.readOnly("kernel/cap_last_cap", BootConstantFile::new);
        add.readOnly("kernel/ngroups_max", BootConstantFile::new);
    }

    /** Adds a sysctl under proc/sys when the host has it. */
    private record Adder(LayoutBuilder layout, Path hostSys) {
        @FunctionalInterface
        interface Opener {
            EmulatedFile open(Path host) throws IOException;
        }

        void perContainer(String sysctl, SysctlSyntax syntax) throws IOException {
            add(sysctl, host -> new PerContainerSysctl("proc/sys/" + sysctl, host, syntax));
        }

        void raiseOnly(String sysctl, SysctlSyntax syntax) throws IOException {
            add(sysctl, host -> new RaiseOnlySysctl("proc/sys/" + sysctl, host, syntax));
        }

        void readOnly(String sysctl, Opener opener) throws IOException {
            add(sysctl, opener);
        }

        private void add(String sysctl, Opener opener) throws IOException {
            Path host = hostSys.resolve(sysctl);
            if (!Files.exists(host)) return;
            String path = "proc/sys/" + sysctl;
            layout.file(path.substring(0, path.lastIndexOf('/')), opener.open(host));
        }
    }
}
