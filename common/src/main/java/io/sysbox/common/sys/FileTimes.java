package io.sysbox.common.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/**
 * utimensat(2) with AT_SYMLINK_NOFOLLOW: times of any file by path. The JDK's no-follow
 * variant opens the file first, which blocks on a fifo and fails on a device node.
 */
public final class FileTimes {
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;

    private static final class Utimensat {
        static final MethodHandle HANDLE = Native.errnoFunction("utimensat",
                FunctionDescriptor.of(INT, INT, PTR, PTR, INT));
    }

    private FileTimes() {}

    /** Sets the modification and access times of path itself (a symlink's own, never its target's). */
    public static void set(Path path, FileTime modified, FileTime accessed) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            // struct timespec times[2]: access, then modification.
            MemorySegment times = arena.allocate(LONG, 4);
            Instant a = accessed.toInstant(), m = modified.toInstant();
            times.setAtIndex(LONG, 0, a.getEpochSecond());
            times.setAtIndex(LONG, 1, a.getNano());
            times.setAtIndex(LONG, 2, m.getEpochSecond());
            times.setAtIndex(LONG, 3, m.getNano());
            int rc = (int) Utimensat.HANDLE.invokeExact(err, MountApi.AT_FDCWD, Native.path(arena, path), times,
                    AT_SYMLINK_NOFOLLOW);
            if (rc < 0) throw new ErrnoException("utimensat", path.toString(), Native.errno(err));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
