package io.sysbox.mgr.specialdirs;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * mknod(2): device nodes, fifos and sockets. The JDK cannot create them (Files.copy opens a
 * fifo and blocks), yet inner images hold them: overlayfs whiteouts are 0/0 character devices.
 */
final class DeviceNodes {
    private static final MethodHandle MKNOD = Libc.function("mknod",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));

    private DeviceNodes() {}

    /** Creates path with mode (file type and permission bits) and device number rdev (as stat reports it). */
    static void create(Path path, int mode, long rdev) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(arena);
            int rc = (int) MKNOD.invokeExact(err, Libc.path(arena, path), mode, rdev);
            if (rc < 0) throw Libc.failure("mknod", path, err);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
