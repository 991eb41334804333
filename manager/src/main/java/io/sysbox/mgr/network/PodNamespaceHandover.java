package io.sysbox.mgr.network;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountApi;
import io.sysbox.mgr.idmap.NewNamespaces;
import io.sysbox.mgr.idmap.OwnedNamespace;
import io.sysbox.mgr.idrange.ContainerMapping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * Gives a CRI pod sandbox namespaces its own user namespace owns in place of those the CRI
 * runtime made for it before the runtime ran, in the host's user namespace: containerd 1.6 runs
 * CNI in a network namespace of its own making; CRI-O's pinns also pins the pod's ipc and uts
 * namespaces. Over those the pod's root has no capability (no `brctl addbr`, no sysfs mount, no
 * sethostname), and a container that joins the pod's user namespace first (runc always does) may
 * not setns into them at all.
 *
 * <p>Into DIR: a new user namespace with the pod's mapping and, for each runtime file, a namespace
 * of that kind it owns (bound at DIR/userns and DIR/netns, DIR/ipcns, DIR/utsns, which the
 * sandbox's spec joins); the CNI's interfaces moved into the new network namespace with their
 * addresses and routes (InterfaceMove). Then each runtime file is made to name the new namespace
 * instead of the runtime's: the runtime's bind is unmounted there and the new namespace bound in
 * its place, so everything later done by that path — the pod's other containers joining it,
 * port-forward, CNI teardown, the runtime's own unmount and removal of the file — reaches the
 * pod's namespace and finds one mount, as it made it. Nothing of it is undone: the runtime removes
 * its files when it tears the pod down (CRI-O at StopPodSandbox, before the sandbox's delete).
 */
public final class PodNamespaceHandover {
    /** The namespace files the sandbox joins: its user namespace and one file per kind handed over. */
    public record Handed(Path userns, Map<OwnedNamespace, Path> namespaces) {
        public Handed {
            namespaces = Map.copyOf(namespaces);
        }
    }

    private PodNamespaceHandover() {}

    /** @param runtimeFiles the runtime's namespace files (bind mounts of nsfs), by kind */
    public static Handed handOver(Map<OwnedNamespace, Path> runtimeFiles, Path dir, ContainerMapping mapping)
            throws IOException {
        Files.createDirectories(dir);
        Path userns = createFile(dir.resolve("userns"));
        Map<OwnedNamespace, Path> files = new EnumMap<>(OwnedNamespace.class);
        for (OwnedNamespace kind : runtimeFiles.keySet()) files.put(kind, createFile(fileOf(dir, kind)));
        NewNamespaces.with(mapping, runtimeFiles.keySet(), pid -> {
            Path network = runtimeFiles.get(OwnedNamespace.NET);
            if (network != null) InterfaceMove.all(network, pid);
            String proc = "/proc/" + pid + "/ns/";
            MountApi.mount(proc + "user", userns.toString(), null, MountApi.MS_BIND, null);
            for (Map.Entry<OwnedNamespace, Path> file : files.entrySet()) {
                MountApi.mount(proc + file.getKey().procName(), file.getValue().toString(), null, MountApi.MS_BIND, null);
            }
            for (Map.Entry<OwnedNamespace, Path> runtime : runtimeFiles.entrySet()) {
                replace(runtime.getValue(), proc + runtime.getKey().procName());
            }
            return null;
        });
        return new Handed(userns, files);
    }

    /** DIR's file for KIND: netns, ipcns, utsns. */
    public static Path fileOf(Path dir, OwnedNamespace kind) {
        return dir.resolve(kind.procName() + "ns");
    }

    /**
     * The runtime's file FILE names NAMESPACE from now on, with a single mount as before: the
     * runtime's bind goes first (not mounted there: EINVAL, nothing to take off), rather than
     * ours over it, since a runtime that unmounts its file once and removes it (CRI-O, containerd)
     * would otherwise take ours off and then fail on its own bind with EBUSY.
     */
    private static void replace(Path file, String namespace) throws IOException {
        try {
            MountApi.umount(file.toString(), MountApi.MNT_DETACH);
        } catch (ErrnoException e) {
            if (e.errno() != ErrnoException.EINVAL) throw e;
        }
        MountApi.mount(namespace, file.toString(), null, MountApi.MS_BIND, null);
    }

    private static Path createFile(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) Files.createFile(file);
        return file;
    }
}
