package io.sysbox.common.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.sysbox.common.sys.Native.INT;
import static io.sysbox.common.sys.Native.LONG;
import static io.sysbox.common.sys.Native.PTR;

/**
 * A filesystem being configured through the kernel's fs-context API (fsopen, fsconfig,
 * fsmount): parameters are passed one at a time, so none of mount(2)'s one-page limit on its
 * option string, no escaping of ',' in values, and the kernel explains a refusal in words
 * (read back from the context) rather than with a bare errno. The result is a detached mount,
 * attached with {@link MountApi#moveMount}.
 */
public final class FilesystemContext implements AutoCloseable {
    private static final int FSOPEN_CLOEXEC = 1;
    private static final int FSMOUNT_CLOEXEC = 1;
    private static final int FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1, FSCONFIG_CMD_CREATE = 6;
    /** The kernel caps one log message at this much. */
    private static final int MESSAGE_MAX = 1024;

    private static final class Fsopen {
        static final MethodHandle HANDLE = Native.errnoSyscall("fsopen", 430, FunctionDescriptor.of(INT, PTR, INT));
    }

    private static final class Fsconfig {
        static final MethodHandle HANDLE = Native.errnoSyscall("fsconfig", 431,
                FunctionDescriptor.of(INT, INT, INT, PTR, PTR, INT));
    }

    private static final class Fsmount {
        static final MethodHandle HANDLE = Native.errnoSyscall("fsmount", 432, FunctionDescriptor.of(INT, INT, INT, INT));
    }

    private static final class Read {
        static final MethodHandle HANDLE = Native.function("read", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    }

    private final int fd;
    private final String fsType;

    private FilesystemContext(int fd, String fsType) {
        this.fd = fd;
        this.fsType = fsType;
    }

    public static FilesystemContext open(String fsType) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int fd = (int) Fsopen.HANDLE.invokeExact(err, Native.cString(arena, fsType), FSOPEN_CLOEXEC);
            if (fd < 0) throw new ErrnoException("fsopen", fsType, Native.errno(err));
            return new FilesystemContext(fd, fsType);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** Sets a parameter with a value (the kernel takes the string as is: no separators to escape). */
    public void set(String key, String value) throws ErrnoException {
        config(FSCONFIG_SET_STRING, key, value);
    }

    /** Sets a parameter that has no value (a flag such as "volatile"). */
    public void setFlag(String key) throws ErrnoException {
        config(FSCONFIG_SET_FLAG, key, null);
    }

    /** Makes the superblock from the parameters set so far. */
    public void create() throws ErrnoException {
        config(FSCONFIG_CMD_CREATE, null, null);
    }

    /** A detached mount of the created superblock; the caller owns (and closes) the fd. */
    public int mount(int attrFlags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            int mountFd = (int) Fsmount.HANDLE.invokeExact(err, fd, FSMOUNT_CLOEXEC, attrFlags);
            if (mountFd < 0) throw failure("fsmount", fsType, Native.errno(err));
            return mountFd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private void config(int cmd, String key, String value) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment err = Native.captureSegment(arena);
            MemorySegment keyString = key == null ? MemorySegment.NULL : Native.cString(arena, key);
            MemorySegment valueString = value == null ? MemorySegment.NULL : Native.cString(arena, value);
            int rc = (int) Fsconfig.HANDLE.invokeExact(err, fd, cmd, keyString, valueString, 0);
            if (rc < 0) {
                String subject = fsType + (key == null ? " (create)" : " " + key + (value == null ? "" : "=" + value));
                throw failure("fsconfig", subject, Native.errno(err));
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** The errno plus what the kernel logged on this context about it ("e overlay: ..."). */
    private ErrnoException failure(String call, String subject, int errno) {
        List<String> messages = drainMessages();
        return new ErrnoException(call, messages.isEmpty() ? subject : subject + " [kernel: "
                + String.join("; ", messages) + "]", errno);
    }

    /** Messages the kernel queued on this context since the last call; empty when there are none. */
    private List<String> drainMessages() {
        List<String> messages = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(MESSAGE_MAX + 1);
            // Bounded: the kernel keeps at most 8 messages per context.
            for (int i = 0; i < 16; i++) {
                long n = (long) Read.HANDLE.invokeExact(fd, buffer, (long) MESSAGE_MAX);
                if (n <= 0) break;
                messages.add(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8).strip());
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        return messages;
    }

    @Override
    public void close() {
        MountApi.close(fd);
    }
}
