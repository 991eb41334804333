package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/** The per-mount flags of the mount a path is on (statvfs(2)'s f_flag). */
public record MountFlags(long bits) {
    public static final long ST_RDONLY = 1, ST_NOSUID = 2, ST_NODEV = 4, ST_NOEXEC = 8;
    private static final MethodHandle STATVFS = Native.errnoFunction("statvfs", FunctionDescriptor.of(INT, PTR, PTR));
    /** sizeof(struct statvfs) and offsetof(f_flag) on 64-bit Linux: nine unsigned longs before it. */
    private static final long SIZE = 112, FLAG_OFFSET = 72;

    public static MountFlags of(String path) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            MemorySegment buf = arena.allocate(SIZE, 8);
            int rc = (int) STATVFS.invokeExact(err, Native.cString(arena, path), buf);
            if (rc < 0) throw new ErrnoException("statvfs", path, Native.errno(err));
            return new MountFlags(buf.get(LONG, FLAG_OFFSET));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public boolean has(long flag) {
        return (bits & flag) != 0;
    }
}
