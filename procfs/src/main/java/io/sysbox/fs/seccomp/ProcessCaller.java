package io.sysbox.fs.seccomp;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FileDescriptors;
import io.sysbox.common.sys.RootedLookup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The calling thread of a notification, seen through /proc/TID: its capabilities, its root
 * and working directory, its mount table. Paths are looked up from its root (openat2 with
 * RESOLVE_IN_ROOT on /proc/TID/root), a relative one from its working directory, so symbolic
 * links and ".." resolve as they do for it. Read once per notification, then revalidated by
 * the caller of the policy (the thread may have died and its id been reused).
 */
final class ProcessCaller implements CallerView {
    private static final int CAP_SYS_ADMIN = 21;
    private static final int ENOTDIR = 20, ELOOP = 40, EXDEV = 18;
    private static final int O_PATH_DIRECTORY = 0x200000 | 0x10000 | FileDescriptors.O_CLOEXEC;
    private static final Pattern DESCRIPTOR = Pattern.compile("/proc/(?:self|thread-self)/fd/([0-9]+)");

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
        try {
            Optional<RootedLookup.Found> found = fromDescriptor(path);
            if (found.isEmpty()) found = fromWorkingDirectory(path);
            if (found.isEmpty()) found = Optional.of(fromRoot(path, followLast));
            RootedLookup.Found at = found.get();
            return mounts().byId(at.mountId()).map(mount -> new Located(mount, at.mountRoot()));
        } catch (ErrnoException e) {
            // EXDEV: RESOLVE_IN_ROOT refuses magic links (other than the caller's /proc/self/fd/N, looked up
            // apart); such a path goes to the kernel as it is (a known gap: see docs/design.md).
            if (e.errno() == ErrnoException.ENOENT || e.errno() == ENOTDIR || e.errno() == ELOOP || e.errno() == EXDEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Optional<Located> locateMount(String path, boolean followLast) throws IOException {
        Optional<Located> found = locate(path, followLast);
        if (found.isEmpty() || !found.get().mountRoot()) return found;
        MountEntry top = found.get().mount();
        for (Optional<MountEntry> above = mounts().stackedOn(top); above.isPresent(); above = mounts().stackedOn(top)) {
            top = above.get();
        }
        return Optional.of(new Located(top, true));
    }

    @Override
    public long rootMountId() throws IOException {
        int root = FileDescriptors.open(proc("root").toString(), O_PATH_DIRECTORY);
        try {
            return RootedLookup.find(root, "/", true).mountId();
        } finally {
            FileDescriptors.close(root);
        }
    }

    /**
     * "." (or "./."): the caller's working directory itself, which need not lie below its root
     * (after pivot_root runc's is the old root, where its umount2(".") aims); its name, which the
     * root's lookup would use, cannot tell it from the new root. Empty for another path.
     */
    private Optional<RootedLookup.Found> fromWorkingDirectory(String path) throws IOException {
        if (path.startsWith("/")) return Optional.empty();
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) return Optional.empty();
        }
        return Optional.of(itself(proc("cwd").toString()));
    }

    /**
     * /proc/self/fd/N (or thread-self's): the caller's descriptor N, as inner runc names every
     * target. Opened through the host's /proc, where /proc/TID/fd/N is that same magic link; only
     * a directory is described (a file fails with ENOTDIR and goes to the kernel as it is).
     */
    private Optional<RootedLookup.Found> fromDescriptor(String path) throws IOException {
        Matcher m = DESCRIPTOR.matcher(path);
        if (!m.matches()) return Optional.empty();
        return Optional.of(itself(proc("fd/" + m.group(1)).toString()));
    }

    /** Where the directory a link in the caller's /proc entry leads to is (followed as the kernel follows it). */
    private static RootedLookup.Found itself(String procLink) throws IOException {
        int fd = FileDescriptors.open(procLink, O_PATH_DIRECTORY);
        try {
            return RootedLookup.find(fd, ".", true);
        } finally {
            FileDescriptors.close(fd);
        }
    }

    /** The relative PATH under the name of the caller's working directory. */
    private String joined(String path) throws IOException {
        String cwd = workingDirectory();
        return cwd.endsWith("/") ? cwd + path : cwd + "/" + path;
    }

    /** PATH looked up from the caller's root (a relative one joined to its working directory's name). */
    private RootedLookup.Found fromRoot(String path, boolean followLast) throws IOException {
        String absolute = ownProcEntries(path.startsWith("/") ? path : joined(path));
        int root = FileDescriptors.open(proc("root").toString(), O_PATH_DIRECTORY);
        try {
            return RootedLookup.find(root, absolute, followLast);
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
