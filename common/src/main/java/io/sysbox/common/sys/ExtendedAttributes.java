package io.sysbox.common.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/**
 * Extended attributes of any namespace ("security.capability", "trusted.overlay.*",
 * "system.posix_acl_access"), on the path itself, never a symlink's target. The JDK reaches
 * the "user." namespace only. Attribute names are Latin-1 strings, so that any byte the kernel
 * lists survives the way back into a call.
 */
public final class ExtendedAttributes {
    private static final int ERANGE = 34, ENODATA = 61, EOPNOTSUPP = 95;
    private static final long SMALL = 256;
    /** XATTR_SIZE_MAX: no attribute value is longer. */
    private static final long SIZE_MAX = 65536;
    /** The name list can grow between the size query and the read: how often to ask again. */
    private static final int LIST_ATTEMPTS = 5;

    // One holder per function: a downcall stub is generated when its holder is first used.
    private static final class Llistxattr {
        static final MethodHandle HANDLE = Native.errnoFunction("llistxattr",
                FunctionDescriptor.of(LONG, PTR, PTR, LONG));
    }

    private static final class Lgetxattr {
        static final MethodHandle HANDLE = Native.errnoFunction("lgetxattr",
                FunctionDescriptor.of(LONG, PTR, PTR, PTR, LONG));
    }

    private static final class Lsetxattr {
        static final MethodHandle HANDLE = Native.errnoFunction("lsetxattr",
                FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, INT));
    }

    private static final class Lremovexattr {
        static final MethodHandle HANDLE = Native.errnoFunction("lremovexattr",
                FunctionDescriptor.of(INT, PTR, PTR));
    }

    private ExtendedAttributes() {}

    /** The names path has; none on a filesystem without xattr support. */
    public static List<String> names(Path path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            MemorySegment file = Native.path(arena, path);
            for (int attempt = 1; ; attempt++) {
                long size = (long) Llistxattr.HANDLE.invokeExact(err, file, MemorySegment.NULL, 0L);
                if (size < 0) {
                    if (Native.errno(err) == EOPNOTSUPP) return List.of();
                    throw new ErrnoException("llistxattr", path.toString(), Native.errno(err));
                }
                if (size == 0) return List.of();
                MemorySegment buffer = arena.allocate(size);
                long got = (long) Llistxattr.HANDLE.invokeExact(err, file, buffer, size);
                if (got < 0) {
                    if (Native.errno(err) == ERANGE && attempt < LIST_ATTEMPTS) continue;
                    throw new ErrnoException("llistxattr", path.toString(), Native.errno(err));
                }
                return split(buffer.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The attribute's value; empty when path does not have it (or its filesystem has no xattrs). */
    public static Optional<byte[]> get(Path path, String name) throws IOException {
        // Most values (file capabilities: 20 or 24 bytes) fit the first try; larger ones are asked for their size.
        long size = SMALL;
        while (true) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment err = Native.captureSegment(arena);
                MemorySegment buffer = arena.allocate(size);
                long n = (long) Lgetxattr.HANDLE.invokeExact(err, Native.path(arena, path), attributeName(arena, name),
                        buffer, size);
                if (n >= 0) return Optional.of(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                int errno = Native.errno(err);
                if (errno == ENODATA || errno == EOPNOTSUPP) return Optional.empty();
                if (errno != ERANGE || size == SIZE_MAX) throw new ErrnoException("lgetxattr", path + " " + name, errno);
                size = SIZE_MAX;
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                throw Native.rethrow(t);
            }
        }
    }

    /** Creates or replaces the attribute. */
    public static void set(Path path, String name, byte[] value) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            MemorySegment data = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, data, ValueLayout.JAVA_BYTE, 0, value.length);
            int rc = (int) Lsetxattr.HANDLE.invokeExact(err, Native.path(arena, path), attributeName(arena, name),
                    data, (long) value.length, 0);
            if (rc < 0) throw new ErrnoException("lsetxattr", path + " " + name, Native.errno(err));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Removes the attribute; nothing happens when path does not have it. */
    public static void remove(Path path, String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int rc = (int) Lremovexattr.HANDLE.invokeExact(err, Native.path(arena, path), attributeName(arena, name));
            if (rc < 0 && Native.errno(err) != ENODATA) {
                throw new ErrnoException("lremovexattr", path + " " + name, Native.errno(err));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static MemorySegment attributeName(Arena arena, String name) {
        return arena.allocateFrom(name, StandardCharsets.ISO_8859_1);
    }

    /** The kernel's list: names, each ended by a NUL. */
    private static List<String> split(byte[] list) {
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < list.length; i++) {
            if (list[i] != 0) continue;
            if (i > start) names.add(new String(list, start, i - start, StandardCharsets.ISO_8859_1));
            start = i + 1;
        }
        return names;
    }
}
