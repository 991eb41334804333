package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/**
 * Extended attributes of any namespace ("security.capability", "trusted.overlay.*"), on the
 * path itself, never a symlink's target. The JDK reaches the "user." namespace only.
 */
public final class ExtendedAttributes {
    private static final int ERANGE = 34, ENODATA = 61, EOPNOTSUPP = 95;
    private static final long SMALL = 256;
    /** XATTR_SIZE_MAX: no attribute value is longer. */
    private static final long SIZE_MAX = 65536;

    private static final class Lgetxattr {
        static final MethodHandle HANDLE = Native.errnoFunction("lgetxattr",
                FunctionDescriptor.of(LONG, PTR, PTR, PTR, LONG));
    }

    private static final class Lsetxattr {
        static final MethodHandle HANDLE = Native.errnoFunction("lsetxattr",
                FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, INT));
    }

    private ExtendedAttributes() {}

    /** The attribute's value; empty when path does not have it (or its filesystem has no xattrs). */
    public static Optional<byte[]> get(String path, String name) throws ErrnoException {
        // Most values (file capabilities: 20 or 24 bytes) fit the first try; larger ones are asked for their size.
        long size = SMALL;
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment err = Native.captureSegment(arena);
                MemorySegment buffer = arena.allocate(size);
                long n = (long) Lgetxattr.HANDLE.invokeExact(err, Native.cString(arena, path),
                        Native.cString(arena, name), buffer, size);
                if (n >= 0) return Optional.of(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                int errno = Native.errno(err);
                if (errno == ENODATA || errno == EOPNOTSUPP) return Optional.empty();
                if (errno != ERANGE || size == SIZE_MAX) throw new ErrnoException("lgetxattr", path + " " + name, errno);
                size = SIZE_MAX;
            } catch (ErrnoException e) {
                throw e;
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        }
    }

    /** Creates or replaces the attribute. */
    public static void set(String path, String name, byte[] value) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            MemorySegment data = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, data, ValueLayout.JAVA_BYTE, 0, value.length);
            int rc = (int) Lsetxattr.HANDLE.invokeExact(err, Native.cString(arena, path), Native.cString(arena, name),
                    data, (long) value.length, 0);
            if (rc < 0) throw new ErrnoException("lsetxattr", path + " " + name, Native.errno(err));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
