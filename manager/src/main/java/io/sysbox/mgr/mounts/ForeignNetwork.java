package io.sysbox.mgr.mounts;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FileDescriptors;
import io.sysbox.common.sys.MountApi;
import io.sysbox.common.sys.Namespaces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The host-side setup of a network namespace that the container's user namespace does not own,
 * done from a thread that joined it: a sysfs of it, and its net.* sysctls.
 *
 * <p>sysfs: for a network namespace that the container's user namespace does not own: a pod's
 * (made by the CRI runtime's CNI before the low-level runtime runs), or any netns path a spec
 * joins. sysfs lists the network devices of the namespace of whoever mounts it, and the kernel
 * lets only a holder of CAP_SYS_ADMIN over that namespace's owner mount one, so the container's
 * root cannot (runc fails with "mount sysfs ... operation not permitted"). The manager, root in
 * the host's user namespace, mounts it from a thread that joined the network namespace; the
 * converted spec binds it at /sys. The mount holds the namespace until it is unmounted.
 *
 * <p>sysctls: the kernel lets only the namespace's owner write its net.* sysctls, so runc, inside
 * the container's user namespace, cannot apply the spec's (a pod's): they are written here.
 */
public final class ForeignNetwork {
    private static final long MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;

    private ForeignNetwork() {}

    /**
     * Mounts, at TARGET (created if missing), a sysfs of the network namespace NETNS (a namespace
     * file), and writes SYSCTLS (net.* names, dotted or slashed, to values) in it.
     */
    public static void prepare(Path netns, Path target, Map<String, String> sysctls) throws IOException {
        for (String name : sysctls.keySet()) {
            if (!name.startsWith("net.") && !name.startsWith("net/")) {
                throw new IllegalArgumentException(name + " is not a network namespace's sysctl");
            }
        }
        Files.createDirectories(target);
        AtomicReference<IOException> failure = new AtomicReference<>();
        // A platform thread of its own: setns changes only the calling thread, which must not be
        // handed anything else while it is in the other namespace (it exits afterwards).
        Thread worker = Thread.ofPlatform().name("sysfs-of-" + netns.getFileName()).unstarted(() -> {
            try {
                inNamespace(netns, target, sysctls);
            } catch (IOException e) {
                failure.set(e);
            }
        });
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while mounting the sysfs of " + netns);
        }
        if (failure.get() != null) throw failure.get();
    }

    private static void inNamespace(Path netns, Path target, Map<String, String> sysctls) throws IOException {
        int own = FileDescriptors.openReadOnly("/proc/thread-self/ns/net");
        try {
            int joined;
            try {
                joined = FileDescriptors.openReadOnly(netns.toString());
            } catch (ErrnoException e) {
                throw new IOException("network namespace " + netns + ": " + e.getMessage(), e);
            }
            try {
                Namespaces.join(joined, Namespaces.CLONE_NEWNET, netns.toString());
            } finally {
                FileDescriptors.close(joined);
            }
            try {
                MountApi.mount("sysfs", target.toString(), "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
                // /proc/sys/net resolves to the network namespace of the thread that opens it.
                for (Map.Entry<String, String> sysctl : new TreeMap<>(sysctls).entrySet()) {
                    Path file = Path.of("/proc/sys", sysctl.getKey().replace('.', '/'));
                    try {
                        Files.writeString(file, sysctl.getValue());
                    } catch (IOException e) {
                        throw new IOException("cannot set sysctl " + sysctl.getKey() + "=" + sysctl.getValue()
                                + " in network namespace " + netns + ": " + e.getMessage(), e);
                    }
                }
            } finally {
                Namespaces.join(own, Namespaces.CLONE_NEWNET, "the manager's own network namespace");
            }
        } catch (ErrnoException e) {
            throw new IOException("cannot mount a sysfs of network namespace " + netns + " at " + target + ": "
                    + e.getMessage(), e);
        } finally {
            FileDescriptors.close(own);
        }
    }
}
