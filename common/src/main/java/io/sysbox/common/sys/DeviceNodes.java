package io.sysbox.common.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/**
 * mknod(2): device nodes, fifos and sockets. The JDK cannot create them (Files.copy opens a
 * fifo and blocks), yet inner images hold them: overlayfs whiteouts are 0/0 character devices.
 */
public final class DeviceNodes {
    private static final class Mknod {
        static final MethodHandle HANDLE = Native.errnoFunction("mknod", FunctionDescriptor.of(INT, PTR, INT, LONG));
    }

    private DeviceNodes() {}

    /** Creates path with mode (file type and permission bits) and device number rdev (as stat reports it). */
    public static void mknod(Path path, int mode, long rdev) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int rc = (int) Mknod.HANDLE.invokeExact(err, Native.path(arena, path), mode, rdev);
            if (rc < 0) throw new ErrnoException("mknod", path.toString(), Native.errno(err));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
