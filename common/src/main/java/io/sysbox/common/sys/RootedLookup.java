package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/**
 * Looks a path up as another process would, from its root directory (a descriptor of
 * /proc/PID/root): openat2(2) with RESOLVE_IN_ROOT keeps absolute symlinks and ".." inside that
 * root, where a plain open of "/proc/PID/root/" + path would follow an absolute link to the
 * host's file. What is found is described by statx(2): which mount it is on, and whether it is
 * that mount's root.
 */
public final class RootedLookup {
    private static final int O_PATH = 0x200000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;
    private static final long RESOLVE_IN_ROOT = 0x10;
    private static final int AT_EMPTY_PATH = 0x1000, AT_STATX_DONT_SYNC = 0x4000;
    private static final int STATX_MNT_ID = 0x1000;
    private static final long STATX_ATTR_MOUNT_ROOT = 0x2000;
    private static final MethodHandle OPENAT2 = Native.errnoSyscall("openat2", 437,
            FunctionDescriptor.of(INT, INT, PTR, PTR, LONG));
    private static final MethodHandle STATX = Native.errnoSyscall("statx", 332,
            FunctionDescriptor.of(INT, INT, PTR, INT, INT, PTR));

    /**
     * Where a looked-up path landed.
     *
     * @param mountId   the mount's id, as in the process's mountinfo
     * @param mountRoot whether the path names the root of that mount (what umount needs)
     */
    public record Found(long mountId, boolean mountRoot) {}

    private RootedLookup() {}

    /**
     * Looks PATH up under the root open at ROOT_FD (absolute paths start there; relative ones
     * too: give them absolute). Without FOLLOW_LAST a symlink at the end is itself the result.
     */
    public static Found find(int rootFd, String path, boolean followLast) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            // struct open_how { u64 flags; u64 mode; u64 resolve; }
            MemorySegment how = arena.allocate(24, 8);
            how.set(LONG, 0, (long) (O_PATH | O_CLOEXEC | (followLast ? 0 : O_NOFOLLOW)));
            how.set(LONG, 16, RESOLVE_IN_ROOT);
            MemorySegment err = Native.captureSegment(arena);
            int fd = (int) OPENAT2.invokeExact(err, rootFd, Native.cString(arena, path), how, 24L);
            if (fd < 0) throw new ErrnoException("openat2", path, Native.errno(err));
            try {
                MemorySegment stx = arena.allocate(256, 8);
                int rc = (int) STATX.invokeExact(err, fd, Native.cString(arena, ""), AT_EMPTY_PATH | AT_STATX_DONT_SYNC,
                        STATX_MNT_ID, stx);
                if (rc < 0) throw new ErrnoException("statx", path, Native.errno(err));
                // struct statx: stx_attributes at 8, stx_attributes_mask at 56, stx_mnt_id at 144.
                long attributes = stx.get(LONG, 8);
                return new Found(stx.get(LONG, 144), (attributes & STATX_ATTR_MOUNT_ROOT) != 0);
            } finally {
                MountApi.close(fd);
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
