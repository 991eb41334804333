package io.sysbox.mgr.specialdirs;

import io.sysbox.common.sys.ErrnoException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.Charset;
import java.nio.file.Path;

/**
 * The libc plumbing for the few file calls the JDK lacks (every xattr namespace, mknod):
 * linking with errno capture, and paths turned into the bytes the kernel expects.
 */
final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** The JVM's own file-name encoding: the bytes a Path stands for are its string in this charset. */
    private static final Charset FILE_NAMES = fileNameCharset();

    private Libc() {}

    /** A downcall whose first argument is the errno capture segment. */
    static MethodHandle function(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }

    static MemorySegment errnoSegment(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /**
     * path as a C string. A name the JVM's file-name encoding cannot represent (non-ASCII under
     * a C locale) does not survive Path.toString, so it is refused rather than mistaken for
     * another file.
     */
    static MemorySegment path(Arena arena, Path path) throws IOException {
        String text = path.toString();
        if (!Path.of(text).equals(path)) {
            throw new IOException(path + ": the file name is not representable in the JVM's file-name encoding "
                    + FILE_NAMES + "; start sysbox-mgr with a UTF-8 locale (LANG=C.UTF-8)");
        }
        byte[] bytes = text.getBytes(FILE_NAMES);
        MemorySegment segment = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
        segment.set(ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
        return segment;
    }

    static ErrnoException failure(String call, Path path, MemorySegment capture) {
        return new ErrnoException(call, path.toString(), errno(capture));
    }

    /** Downcalls only throw what the JVM throws; checked ones cannot happen. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    private static Charset fileNameCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }
}
