package io.sysbox.fs.emulation.proc.sys;

import io.sysbox.fs.emulation.file.Modes;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A host sysctl or module parameter file: read for a container's first value, written by the MAX rule. */
public record HostSysctlFile(Path path) {
    /** Larger than any value of the files emulated here. */
    private static final int MAX_VALUE_BYTES = 4096;

    /**
     * The file's whole content, from one read(2) at offset 0. A sysctl answers only the first
     * read of an open file (any later offset is end of file), so a reader that starts with a
     * small buffer gets a truncated value: Files.readString, seeing size 0, gets one byte.
     */
    public static String readText(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(MAX_VALUE_BYTES);
            int n = channel.read(buffer, 0);
            if (n == buffer.capacity()) throw new IOException(path + " holds more than " + MAX_VALUE_BYTES + " bytes");
            return new String(buffer.array(), 0, Math.max(n, 0), StandardCharsets.ISO_8859_1);
        }
    }

    SysctlValue read() throws FuseException {
        try {
            return SysctlValue.parse(readText(path), path.toString());
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, "reading the host's " + path + ": " + e.getMessage());
        }
    }

    void write(SysctlValue value) throws FuseException {
        try {
            Files.write(path, value.render(), StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, "writing " + value.first() + " to the host's " + path + ": "
                    + e.getMessage());
        }
    }

    /** Its permission bits, for the emulated node that stands for it. */
    int permissions() throws IOException {
        return Modes.of(path);
    }
}
