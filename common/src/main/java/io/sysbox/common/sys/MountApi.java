package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/**
 * The kernel's new mount API (open_tree, mount_setattr, move_mount) plus umount2: what ID
 * shifting needs. An idmapped mount is a detached clone of a tree, given a user namespace's
 * mapping with mount_setattr(MOUNT_ATTR_IDMAP), then attached where the runtime expects it.
 */
public final class MountApi {
    public static final int AT_FDCWD = -100;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int AT_RECURSIVE = 0x8000;
    public static final int OPEN_TREE_CLONE = 1;
    public static final int OPEN_TREE_CLOEXEC = 0x80000;
    public static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    public static final long MOUNT_ATTR_RDONLY = 0x1;
    public static final long MOUNT_ATTR_RELATIME = 0x0, MOUNT_ATTR_NOATIME = 0x10, MOUNT_ATTR_STRICTATIME = 0x20;
    /** The atime mode bits: cleared together when one mode is set. */
    public static final long MOUNT_ATTR__ATIME = 0x70;
    public static final long MOUNT_ATTR_NODIRATIME = 0x80;
    public static final long MOUNT_ATTR_IDMAP = 0x100000;
    public static final int MNT_DETACH = 2;
    public static final long MS_BIND = 4096, MS_REC = 16384, MS_PRIVATE = 1 << 18, MS_RDONLY = 1, MS_REMOUNT = 32;

    private static final MethodHandle OPEN_TREE = Native.errnoSyscall("open_tree", 428,
            FunctionDescriptor.of(INT, INT, PTR, INT));
    private static final MethodHandle MOUNT_SETATTR = Native.errnoSyscall("mount_setattr", 442,
            FunctionDescriptor.of(INT, INT, PTR, INT, PTR, LONG));
    private static final MethodHandle MOVE_MOUNT = Native.errnoSyscall("move_mount", 429,
            FunctionDescriptor.of(INT, INT, PTR, INT, PTR, INT));
    private static final MethodHandle UMOUNT2 = Native.errnoFunction("umount2",
            FunctionDescriptor.of(INT, PTR, INT));
    private static final MethodHandle MOUNT = Native.errnoFunction("mount",
            FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, PTR));
    private static final MethodHandle CLOSE = Native.function("close", FunctionDescriptor.of(INT, INT));

    private MountApi() {}

    /** Clones the mount tree at path into a detached mount; returns its fd. */
    public static int openTreeClone(String path, boolean recursive) throws ErrnoException {
        int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int fd = (int) OPEN_TREE.invokeExact(err, AT_FDCWD, Native.cString(arena, path), flags);
            if (fd < 0) throw new ErrnoException("open_tree", path, Native.errno(err));
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Gives a detached mount the id mapping of the user namespace usernsFd refers to. */
    public static void setIdmap(int mountFd, int usernsFd, boolean recursive, String what) throws ErrnoException {
        setAttr(mountFd, MOUNT_ATTR_IDMAP, 0, usernsFd, recursive, what);
    }

    public static void setAttr(int mountFd, long set, long clear, int usernsFd, boolean recursive, String what)
            throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; }
            MemorySegment attr = arena.allocate(32, 8);
            attr.set(LONG, 0, set);
            attr.set(LONG, 8, clear);
            attr.set(LONG, 16, 0L);
            attr.set(LONG, 24, usernsFd < 0 ? 0L : usernsFd);
            MemorySegment err = Native.captureSegment(arena);
            int rc = (int) MOUNT_SETATTR.invokeExact(err, mountFd, Native.cString(arena, ""),
                    AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), attr, 32L);
            if (rc < 0) throw new ErrnoException("mount_setattr", what, Native.errno(err));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Attaches a detached mount at target. */
    public static void moveMount(int mountFd, String target) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int rc = (int) MOVE_MOUNT.invokeExact(err, mountFd, Native.cString(arena, ""),
                    AT_FDCWD, Native.cString(arena, target), MOVE_MOUNT_F_EMPTY_PATH);
            if (rc < 0) throw new ErrnoException("move_mount", target, Native.errno(err));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void umount(String target, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int rc = (int) UMOUNT2.invokeExact(err, Native.cString(arena, target), flags);
            if (rc < 0) throw new ErrnoException("umount2", target, Native.errno(err));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void mount(String source, String target, String type, long flags, String data)
            throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int rc = (int) MOUNT.invokeExact(err,
                    orNull(arena, source), Native.cString(arena, target), orNull(arena, type), flags,
                    orNull(arena, data));
            if (rc < 0) throw new ErrnoException("mount", target, Native.errno(err));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static MemorySegment orNull(Arena arena, String s) {
        return s == null ? MemorySegment.NULL : Native.cString(arena, s);
    }

    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
