package io.sysbox.mgr.specialdirs;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * utimensat(2) with AT_SYMLINK_NOFOLLOW: times of any file by path. The JDK's no-follow
 * variant opens the file first, which blocks on a fifo and fails on a device node.
 */
final class FileTimes {
    private static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;
    private static final MethodHandle UTIMENSAT = Libc.function("utimensat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));

    private FileTimes() {}

    static void set(Path path, FileTime modified, FileTime accessed) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(arena);
            // struct timespec times[2]: access, then modification.
            MemorySegment times = arena.allocate(JAVA_LONG, 4);
            Instant a = accessed.toInstant(), m = modified.toInstant();
            times.setAtIndex(JAVA_LONG, 0, a.getEpochSecond());
            times.setAtIndex(JAVA_LONG, 1, a.getNano());
            times.setAtIndex(JAVA_LONG, 2, m.getEpochSecond());
            times.setAtIndex(JAVA_LONG, 3, m.getNano());
            int rc = (int) UTIMENSAT.invokeExact(err, AT_FDCWD, Libc.path(arena, path), times, AT_SYMLINK_NOFOLLOW);
            if (rc < 0) throw Libc.failure("utimensat", path, err);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
