package io.sysbox.fs.emulation.file;

import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A read-only emulated file computed from one kernel-rendered host file (proc/meminfo from
 * /proc/meminfo...): every render reads the host's file afresh and hands its text to
 * {@link #view}, which returns the container's content (the host's text itself when the
 * container has nothing to hide). The host file stays open until the file system is unmounted.
 * Not sealed: its subclasses live with the trees they emulate (emulation.proc, emulation.sys),
 * and a sealed class of an unnamed module permits only its own package.
 */
public abstract class HostDerivedFile implements EmulatedFile {
    private final String name;
    private final RereadableFile host;

    /** Opens {@code host}, a file the kernel renders as one record (see {@link RereadableFile}). */
    protected HostDerivedFile(String name, Path host) throws IOException {
        this.name = name;
        this.host = new RereadableFile(host);
    }

    /** The container's content from the host's current text. */
    protected abstract String view(ContainerState container, String host) throws FuseException;

    /** The host file this one is computed from, for error messages. */
    protected final Path hostPath() {
        return host.path();
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int permissions() {
        return 0444;
    }

    @Override
    public final byte[] render(ContainerState container) throws FuseException {
        String text;
        try {
            text = host.read();
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, "reading " + host.path() + ": " + e.getMessage());
        }
        return view(container, text).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public final void close() throws IOException {
        host.close();
    }
}
