package io.sysbox.mgr.mounts;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FileDescriptors;
import io.sysbox.common.sys.MountApi;
import io.sysbox.common.sys.Namespaces;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A sysfs of a network namespace that the container's user namespace does not own: a pod's
 * (made by the CRI runtime's CNI before the low-level runtime runs), or any netns path a spec
 * joins. sysfs lists the network devices of the namespace of whoever mounts it, and the kernel
 * lets only a holder of CAP_SYS_ADMIN over that namespace's owner mount one, so the container's
 * root cannot (runc fails with "mount sysfs ... operation not permitted"). The manager, root in
 * the host's user namespace, mounts it from a thread that joined the network namespace; the
 * converted spec binds it at /sys. The mount holds the namespace until it is unmounted.
 */
public final class NetworkSysfs {
    private static final long MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;

    private NetworkSysfs() {}

    /** Mounts, at TARGET (created if missing), a sysfs of the network namespace NETNS (a namespace file). */
    public static void mount(Path netns, Path target) throws IOException {
        Files.createDirectories(target);
        AtomicReference<IOException> failure = new AtomicReference<>();
        // A platform thread of its own: setns changes only the calling thread, which must not be
        // handed anything else while it is in the other namespace (it exits afterwards).
        Thread worker = Thread.ofPlatform().name("sysfs-of-" + netns.getFileName()).unstarted(() -> {
            try {
                mountInNamespace(netns, target);
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

    private static void mountInNamespace(Path netns, Path target) throws IOException {
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
