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
    private static final int SIG_SETMASK = 2;
    private static final MethodHandle EXECVE = Native.errnoFunction("execve",
            FunctionDescriptor.of(INT, PTR, PTR, PTR));
    private static final MethodHandle SIGPROCMASK = Native.function("pthread_sigmask",
            FunctionDescriptor.of(INT, INT, PTR, PTR));

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
        try {
            // The JVM blocks some signals in Java threads; a blocked mask survives execve.
            MemorySegment empty = arena.allocate(128);
            int ignored = (int) SIGPROCMASK.invokeExact(SIG_SETMASK, empty, MemorySegment.NULL);
            MemorySegment err = arena.allocate(Native.CAPTURE_LAYOUT);
            int rc = (int) EXECVE.invokeExact(err, arena.allocateFrom(path), args, envp);
            throw new ErrnoException("execve", path, Native.errno(err));
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
