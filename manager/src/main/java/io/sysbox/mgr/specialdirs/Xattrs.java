package io.sysbox.mgr.specialdirs;

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

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Extended attributes of a file itself (never of a symlink's target), in every namespace:
 * the JDK only reaches {@code user.*}, while inner overlayfs and file capabilities live in
 * {@code trusted.*} and {@code security.*}. Names are Latin-1 strings so any byte survives.
 */
final class Xattrs {
    private static final int ERANGE = 34, ENODATA = 61, EOPNOTSUPP = 95;

    private static final MethodHandle LIST = Libc.function("llistxattr",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle GET = Libc.function("lgetxattr",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle SET = Libc.function("lsetxattr",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle REMOVE = Libc.function("lremovexattr",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    private Xattrs() {}

    /** The names present; none on a filesystem without xattr support. */
    static List<String> names(Path path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(arena);
            MemorySegment file = Libc.path(arena, path);
            // The list can grow between the size query and the read: ask again then.
            for (int attempt = 0; ; attempt++) {
                long size = (long) LIST.invokeExact(err, file, MemorySegment.NULL, 0L);
                if (size < 0) {
                    if (Libc.errno(err) == EOPNOTSUPP) return List.of();
                    throw Libc.failure("llistxattr", path, err);
                }
                if (size == 0) return List.of();
                MemorySegment buffer = arena.allocate(size);
                long got = (long) LIST.invokeExact(err, file, buffer, size);
                if (got < 0) {
                    if (Libc.errno(err) == ERANGE && attempt < 4) continue;
                    throw Libc.failure("llistxattr", path, err);
                }
                return split(buffer.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The value of name, or null when the file has no such attribute. */
    static byte[] value(Path path, String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(arena);
            MemorySegment file = Libc.path(arena, path);
            MemorySegment key = arena.allocateFrom(name, StandardCharsets.ISO_8859_1);
            for (int attempt = 0; ; attempt++) {
                long size = (long) GET.invokeExact(err, file, key, MemorySegment.NULL, 0L);
                if (size < 0) {
                    if (Libc.errno(err) == ENODATA) return null;
                    throw Libc.failure("lgetxattr " + name, path, err);
                }
                if (size == 0) return new byte[0];
                MemorySegment buffer = arena.allocate(size);
                long got = (long) GET.invokeExact(err, file, key, buffer, size);
                if (got < 0) {
                    if (Libc.errno(err) == ERANGE && attempt < 4) continue;
                    if (Libc.errno(err) == ENODATA) return null;
                    throw Libc.failure("lgetxattr " + name, path, err);
                }
                return buffer.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    static void set(Path path, String name, byte[] value) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(arena);
            MemorySegment file = Libc.path(arena, path);
            MemorySegment key = arena.allocateFrom(name, StandardCharsets.ISO_8859_1);
            MemorySegment data = value.length == 0 ? arena.allocate(1) : arena.allocateFrom(ValueLayout.JAVA_BYTE, value);
            int rc = (int) SET.invokeExact(err, file, key, data, (long) value.length, 0);
            if (rc < 0) throw Libc.failure("lsetxattr " + name, path, err);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    static void remove(Path path, String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Libc.errnoSegment(arena);
            MemorySegment file = Libc.path(arena, path);
            MemorySegment key = arena.allocateFrom(name, StandardCharsets.ISO_8859_1);
            int rc = (int) REMOVE.invokeExact(err, file, key);
            if (rc < 0 && Libc.errno(err) != ENODATA) throw Libc.failure("lremovexattr " + name, path, err);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

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
