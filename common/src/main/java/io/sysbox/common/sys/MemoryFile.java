package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/**
 * An anonymous in-memory file (memfd) that survives execve: hands a generated file (an exec
 * process.json) to the program we become, as /proc/self/fd/N, with nothing left on disk.
 */
public final class MemoryFile {
    private static final MethodHandle MEMFD_CREATE = Native.errnoFunction("memfd_create",
            FunctionDescriptor.of(INT, PTR, INT));
    private static final MethodHandle WRITE = Native.errnoFunction("write",
            FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle LSEEK = Native.errnoFunction("lseek",
            FunctionDescriptor.of(LONG, INT, LONG, INT));

    private MemoryFile() {}

    /** Returns the fd (inherited across execve) of a memfd holding content, positioned at 0. */
    public static int inheritable(String name, byte[] content) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int fd = (int) MEMFD_CREATE.invokeExact(err, Native.cString(arena, name), 0);
            if (fd < 0) throw new ErrnoException("memfd_create", name, Native.errno(err));
            MemorySegment data = arena.allocate(Math.max(1, content.length));
            MemorySegment.copy(content, 0, data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, content.length);
            long off = 0;
            while (off < content.length) {
                long n = (long) WRITE.invokeExact(err, fd, data.asSlice(off), (long) content.length - off);
                if (n < 0) throw new ErrnoException("write", name, Native.errno(err));
                off += n;
            }
            long pos = (long) LSEEK.invokeExact(err, fd, 0L, 0);
            if (pos < 0) throw new ErrnoException("lseek", name, Native.errno(err));
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
