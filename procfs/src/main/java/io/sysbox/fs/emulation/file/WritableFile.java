package io.sysbox.fs.emulation.file;

import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.FuseException;

/**
 * An emulated file a container may write, as it writes a sysctl: {@code echo 1 > file}, the
 * whole value at once. Who may write is the kernel's decision (default_permissions against the
 * node's mode and owner, the container's root); what may be written is this file's. Files that
 * are not WritableFile refuse every open for writing.
 */
public interface WritableFile extends EmulatedFile {
    /**
     * Takes a new value, as written at offset 0 (trailing newline included).
     *
     * @throws FuseException EINVAL for a value the file does not take, EIO if the host refused it
     */
    void write(ContainerState container, String value) throws FuseException;
}
