package io.sysbox.mgr.network;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountApi;
import io.sysbox.mgr.idmap.NewNamespaces;
import io.sysbox.mgr.idrange.ContainerMapping;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Gives a CRI pod sandbox a network namespace its own user namespace owns, in place of the one
 * the CRI runtime made for it (containerd 1.6 runs CNI in a namespace of the host's user
 * namespace, over which the pod's root has no capability: no `brctl addbr`, no sysfs mount).
 *
 * <p>Into DIR: a new user namespace with the pod's mapping and a network namespace it owns
 * (bound at DIR/userns and DIR/netns, which the sandbox's spec joins), the CNI's interfaces
 * moved there with their addresses and routes (InterfaceMove), and the new network namespace
 * bound over the CRI runtime's netns file, so that everything later done by that path — the
 * pod's other containers joining it, port-forward, CNI teardown — reaches the pod's namespace.
 * {@link #undo} removes that overmount first (DIR/handed-over names it), so the runtime
 * afterwards unmounts and removes its own file as it expects.
 */
public final class PodNetworkHandover {
    /** The namespace files the sandbox joins. */
    public record Handed(Path userns, Path netns) {}

    private static final String HANDED_OVER = "handed-over";

    private PodNetworkHandover() {}

    public static Handed handOver(Path runtimeNetns, Path dir, ContainerMapping mapping) throws IOException {
        Files.createDirectories(dir);
        Path userns = dir.resolve("userns");
        Path netns = dir.resolve("netns");
        for (Path file : List.of(userns, netns)) {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) Files.createFile(file);
        }
        NewNamespaces.with(mapping, true, pid -> {
            InterfaceMove.all(runtimeNetns, pid);
            String proc = "/proc/" + pid + "/ns/";
            MountApi.mount(proc + "user", userns.toString(), null, MountApi.MS_BIND, null);
            MountApi.mount(proc + "net", netns.toString(), null, MountApi.MS_BIND, null);
            // Recorded before the overmount: a failure between the two leaves nothing undo misses.
            Files.writeString(dir.resolve(HANDED_OVER), runtimeNetns.toString());
            MountApi.mount(proc + "net", runtimeNetns.toString(), null, MountApi.MS_BIND, null);
            return null;
        });
        return new Handed(userns, netns);
    }

    /**
     * Takes the pod's namespace off the runtime's netns file, if it is still the top mount there
     * (same namespace inode as DIR/netns). DIR's own binds go with the container's other mounts.
     */
    public static void undo(Path dir) throws IOException {
        Path record = dir.resolve(HANDED_OVER);
        if (!Files.exists(record)) return;
        Path runtimeNetns = Path.of(Files.readString(record).strip());
        Path netns = dir.resolve("netns");
        if (Files.exists(runtimeNetns) && Files.exists(netns) && inode(runtimeNetns) == inode(netns)) {
            try {
                MountApi.umount(runtimeNetns.toString(), MountApi.MNT_DETACH);
            } catch (ErrnoException e) {
                if (e.errno() != ErrnoException.EINVAL && e.errno() != ErrnoException.ENOENT) throw e;
            }
        }
        Files.delete(record);
    }

    private static long inode(Path file) throws IOException {
        return ((Number) Files.getAttribute(file, "unix:ino")).longValue();
    }
}
