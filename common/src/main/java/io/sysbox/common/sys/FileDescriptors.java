package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.PTR;

/** Raw file descriptors, for kernel objects the JDK has no type for (namespace files). */
public final class FileDescriptors {
    public static final int O_RDONLY = 0, O_RDWR = 2, O_CLOEXEC = 0x80000;
    private static final MethodHandle OPEN = Native.errnoFunction("open", FunctionDescriptor.of(INT, PTR, INT));

    private FileDescriptors() {}

    public static int openReadOnly(String path) throws ErrnoException {
        return open(path, O_RDONLY | O_CLOEXEC);
    }

    /** open(2) with these flags (no O_CREAT: there is no mode argument). */
    public static int open(String path, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int fd = (int) OPEN.invokeExact(err, Native.cString(arena, path), flags);
            if (fd < 0) throw new ErrnoException("open", path, Native.errno(err));
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void close(int fd) {
        MountApi.close(fd);
    }
}
