package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.PTR;

/** Numeric uid/gid ownership: the JDK only offers it through name lookups. */
public final class Ownership {
    // One holder per function: a downcall stub is generated when its holder is first used.
    private static final class Lchown {
        static final MethodHandle HANDLE = Native.errnoFunction("lchown", FunctionDescriptor.of(INT, PTR, INT, INT));
    }

    private static final class Geteuid {
        static final MethodHandle HANDLE = Native.function("geteuid", FunctionDescriptor.of(INT));
    }

    private Ownership() {}

    /** Changes the owner of path itself (never follows a final symlink). */
    public static void lchown(String path, int uid, int gid) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int rc = (int) Lchown.HANDLE.invokeExact(err, Native.cString(arena, path), uid, gid);
            if (rc < 0) throw new ErrnoException("lchown", path, Native.errno(err));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int geteuid() {
        try {
            return (int) Geteuid.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
