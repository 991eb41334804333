package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.PTR;

/**
 * Replaces the JVM with another program (execve). Used where exact process semantics matter:
 * the engine then owns the pid, the signals, the terminal and the exit status the caller
 * (a shim, a shell) waits for, and no JVM stays behind to babysit it.
 */
public final class Exec {
    // No errno capture on the call itself: each distinct downcall shape costs a short-lived
    // CLI milliseconds to link, and errno matters only when execve returns.
    private static final MethodHandle EXECVE = Native.function("execve", FunctionDescriptor.of(INT, PTR, PTR, PTR));

    private static final class ErrnoLocation {
        static final MethodHandle HANDLE = Native.function("__errno_location", FunctionDescriptor.of(PTR));
    }

    private Exec() {}

    /** Never returns on success. */
    public static void execve(String path, List<String> argv, Map<String, String> env) throws ErrnoException {
        Arena arena = Arena.ofAuto();
        MemorySegment args = arena.allocate(ValueLayout.ADDRESS, argv.size() + 1L);
        for (int i = 0; i < argv.size(); i++) {
            args.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(argv.get(i)));
        }
        MemorySegment envp = arena.allocate(ValueLayout.ADDRESS, env.size() + 1L);
        int i = 0;
        for (var e : env.entrySet()) {
            envp.setAtIndex(ValueLayout.ADDRESS, i++, arena.allocateFrom(e.getKey() + "=" + e.getValue()));
        }
        // A blocked signal mask survives execve: callers run the JVM with -Xrs so that the Java
        // threads do not block SIGQUIT (see the sysbox-runc launcher).
        try {
            int rc = (int) EXECVE.invokeExact(arena.allocateFrom(path), args, envp);
            MemorySegment errno = ((MemorySegment) ErrnoLocation.HANDLE.invokeExact()).reinterpret(4);
            throw new ErrnoException("execve", path, errno.get(INT, 0));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
