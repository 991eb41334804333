package io.sysbox.fs.seccomp;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FileDescriptors;
import io.sysbox.common.sys.RootedLookup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The calling thread of a notification, seen through /proc/TID: its capabilities, its root
 * and working directory, its mount table. Paths are looked up from its root (openat2 with
 * RESOLVE_IN_ROOT on /proc/TID/root), a relative one from its working directory, so symbolic
 * links and ".." resolve as they do for it. Read once per notification, then revalidated by
 * the caller of the policy (the thread may have died and its id been reused).
 */
final class ProcessCaller implements CallerView {
    private static final int CAP_SYS_ADMIN = 21;

    private final int tid;
    private MountTable mounts;

    ProcessCaller(int tid) {
        this.tid = tid;
    }

    private Path proc(String name) {
        return Path.of("/proc", Integer.toString(tid), name);
    }

    @Override
    public boolean hasSysAdmin() throws IOException {
        for (String line : Files.readAllLines(proc("status"))) {
            if (line.startsWith("CapEff:")) {
                long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                return (caps & (1L << CAP_SYS_ADMIN)) != 0;
            }
        }
        return false;
    }

    @Override
    public Optional<Located> locate(String path, boolean followLast) throws IOException {
        if (path == null || path.isEmpty()) return Optional.empty();
        String absolute = ownProcEntries(path.startsWith("/") ? path : workingDirectory() + "/" + path);
        int root = FileDescriptors.open(proc("root").toString(), O_PATH_DIRECTORY);
        try {
            RootedLookup.Found found = RootedLookup.find(root, absolute, followLast);
            return mounts().byId(found.mountId()).map(mount -> new Located(mount, found.mountRoot()));
        } catch (ErrnoException e) {
            // EXDEV: RESOLVE_IN_ROOT refuses magic links (/proc/self/fd/N, as runc names its targets);
            // such a path goes to the kernel as it is (a known gap: see docs/design.md).
            if (e.errno() == ErrnoException.ENOENT || e.errno() == 20 /* ENOTDIR */ || e.errno() == 40 /* ELOOP */
                    || e.errno() == 18 /* EXDEV */) {
                return Optional.empty();
            }
            throw e;
        } finally {
            FileDescriptors.close(root);
        }
    }

    /**
     * /proc/self and /proc/thread-self name the looker, which is sysbox-fs (outside the caller's
     * pid namespace, where they do not resolve): they become the caller's own ids there.
     */
    private String ownProcEntries(String path) throws IOException {
        boolean thread = MountEntry.isAtOrBelow(path, "/proc/thread-self");
        if (!thread && !MountEntry.isAtOrBelow(path, "/proc/self")) return path;
        String process = lastNsId("NStgid:"), own = lastNsId("NSpid:");
        String prefix = thread ? "/proc/thread-self" : "/proc/self";
        String replacement = thread ? "/proc/" + process + "/task/" + own : "/proc/" + process;
        return replacement + path.substring(prefix.length());
    }

    /** The last (innermost pid namespace's) id of a status line such as NSpid. */
    private String lastNsId(String field) throws IOException {
        for (String line : Files.readAllLines(proc("status"))) {
            if (line.startsWith(field)) {
                String[] ids = line.substring(field.length()).strip().split("\\s+");
                return ids[ids.length - 1];
            }
        }
        throw new IOException("no " + field + " in " + proc("status"));
    }

    private static final int O_PATH_DIRECTORY = 0x200000 | 0x10000 | FileDescriptors.O_CLOEXEC;

    /**
     * Its working directory as it names it. The kernel shows /proc/TID/cwd and root relative to
     * the root of the thread's mount namespace (unreachable from ours); a chroot inside makes its
     * root a directory there, which is cut off.
     */
    private String workingDirectory() throws IOException {
        String cwd = Files.readSymbolicLink(proc("cwd")).toString();
        String root = Files.readSymbolicLink(proc("root")).toString();
        if (!root.equals("/") && MountEntry.isAtOrBelow(cwd, root)) cwd = cwd.substring(root.length());
        return cwd.isEmpty() ? "/" : cwd;
    }

    @Override
    public boolean sharesNetworkWith(long pid) throws IOException {
        return Files.readSymbolicLink(proc("ns/net"))
                .equals(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns/net")));
    }

    @Override
    public MountTable mounts() throws IOException {
        if (mounts == null) mounts = MountTable.of(tid);
        return mounts;
    }
}
