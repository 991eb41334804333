package io.sysbox.fs.seccomp;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.SeccompNotify;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The calls stopped by one seccomp filter (a container's init and its descendants, or one exec
 * and its descendants), answered one after the other on a thread of its own until the last
 * process using the filter is gone; then the listener is closed.
 */
final class ListenerSession implements Runnable {
    /** x86_64's numbers; the filter stops only these. */
    static final int SYS_MOUNT = 165, SYS_UMOUNT2 = 166;
    private static final int AUDIT_ARCH_X86_64 = 0xc000003e;
    private static final int EFAULT = 14, ENOSYS = 38;
    private static final int POLL_MILLIS = 1000;

    private final SeccompNotify notify;
    private final String containerId;
    /** Empty for a container sysbox-fs does not know: every call is refused. */
    private final Supplier<Optional<MountPolicy.Container>> container;
    private final MountHelper helper;
    private final Logger log;
    private final Runnable onEnd;
    private volatile boolean stopped;

    ListenerSession(SeccompNotify notify, String containerId, Supplier<Optional<MountPolicy.Container>> container,
                    MountHelper helper, Logger log, Runnable onEnd) {
        this.notify = notify;
        this.containerId = containerId;
        this.container = container;
        this.helper = helper;
        this.log = log;
        this.onEnd = onEnd;
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                SeccompNotify.Readiness ready = notify.await(POLL_MILLIS);
                if (ready == SeccompNotify.Readiness.NO_MORE_USERS) break;
                if (ready == SeccompNotify.Readiness.TIMEOUT) continue;
                SeccompNotify.Notification n;
                try {
                    n = notify.receive();
                } catch (ErrnoException e) {
                    // The caller was killed or interrupted after the poll: nothing is waiting any more.
                    if (e.errno() == ErrnoException.ENOENT || e.errno() == ErrnoException.EINTR) continue;
                    throw e;
                }
                answer(n);
            }
        } catch (IOException | RuntimeException e) {
            log.error("seccomp listener of container {} stops: {}", containerId, e.getMessage());
        } finally {
            notify.close();
            onEnd.run();
        }
    }

    private void answer(SeccompNotify.Notification n) {
        try {
            respond(n, verdict(n));
        } catch (IOException | RuntimeException e) {
            // The caller died mid-call (its answer has nowhere to go), or its memory or /proc could not be read.
            if (notify.stillValid(n.id())) {
                log.warn("container {}: {} of thread {} refused: {}", containerId, name(n), n.pid(), e.getMessage());
                try {
                    notify.fail(n.id(), e instanceof CallerMemoryException ? EFAULT : MountPolicy.EPERM);
                } catch (ErrnoException ignored) {
                    // withdrawn meanwhile
                }
            }
        }
    }

    private Verdict verdict(SeccompNotify.Notification n) throws IOException {
        Optional<MountPolicy.Container> known = container.get();
        if (known.isEmpty()) return new Verdict.Refuse(MountPolicy.EPERM, "container " + containerId + " is not registered");
        if (n.arch() != AUDIT_ARCH_X86_64 || (n.syscall() != SYS_MOUNT && n.syscall() != SYS_UMOUNT2)) {
            return new Verdict.Refuse(ENOSYS, "system call " + n.syscall() + " is not one sysbox-fs handles");
        }
        Intercepted call = read(n);
        // The thread might have died and its id been reused while its memory was read.
        if (!notify.stillValid(n.id())) return null;
        return MountPolicy.decide(call, new ProcessCaller(n.pid()), known.get());
    }

    private Intercepted read(SeccompNotify.Notification n) throws IOException {
        try (CallerMemory memory = new CallerMemory(n.pid())) {
            if (n.syscall() == SYS_UMOUNT2) return new Intercepted.Umount(memory.string(n.arg(0)), (int) n.arg(1));
            return new Intercepted.Mount(memory.string(n.arg(0)), memory.string(n.arg(1)), memory.string(n.arg(2)),
                    n.arg(3), memory.string(n.arg(4)));
        } catch (IOException e) {
            throw new CallerMemoryException(e.getMessage());
        }
    }

    private void respond(SeccompNotify.Notification n, Verdict verdict) throws IOException {
        if (verdict == null || !notify.stillValid(n.id())) return;
        switch (verdict) {
            case Verdict.Proceed p -> notify.proceed(n.id());
            case Verdict.Refuse r -> {
                log.debug("container {}: {} of thread {} refused: {}", containerId, name(n), n.pid(), r.why());
                notify.fail(n.id(), r.errno());
            }
            case Verdict.Perform p -> {
                MountPolicy.Container known = container.get().orElseThrow();
                MountHelper.Outcome outcome = helper.run(n.pid(), known.initPid(), p.job());
                if (outcome.errno() == 0) {
                    log.debug("container {}: {} for thread {}", containerId, p.job(), n.pid());
                    notify.succeed(n.id(), 0);
                } else {
                    log.info("container {}: {} for thread {} failed: {}", containerId, p.job(), n.pid(), outcome.message());
                    notify.fail(n.id(), outcome.errno());
                }
            }
        }
    }

    private static String name(SeccompNotify.Notification n) {
        return n.syscall() == SYS_MOUNT ? "mount" : n.syscall() == SYS_UMOUNT2 ? "umount2" : "syscall " + n.syscall();
    }

    /** The caller's memory could not be read at an argument's address (EFAULT for the caller). */
    private static final class CallerMemoryException extends IOException {
        CallerMemoryException(String message) {
            super(message);
        }
    }
}
