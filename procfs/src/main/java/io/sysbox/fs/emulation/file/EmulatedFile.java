package io.sysbox.fs.emulation.file;

import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;

/**
 * One emulated path (proc/uptime, proc/meminfo...): its name, its mode, and how its content
 * is computed for a container. Implementations are shared by every container and must be
 * thread-safe; a read renders the whole file, and the server serves offsets from that copy.
 * Host files an implementation keeps open are closed with it, when the file system is unmounted.
 * Read-only unless it is a {@link WritableFile}.
 */
public interface EmulatedFile extends AutoCloseable {
    String name();

    /** Permission bits as /proc shows them (0444 for read-only files). */
    int permissions();

    byte[] render(ContainerState container) throws FuseException;

    @Override
    default void close() throws IOException {}
}
