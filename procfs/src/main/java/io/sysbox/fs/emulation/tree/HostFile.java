package io.sysbox.fs.emulation.tree;

import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.StandardOpenOption;

/**
 * A passed-through host file opened for the container: reads are preads of the host's file at
 * the container's offsets, so sysfs renders it as it would for a reader on the host.
 */
final class HostFile implements AutoCloseable {
    private final HostNode node;
    private final FileChannel channel;

    private HostFile(HostNode node, FileChannel channel) {
        this.node = node;
        this.channel = channel;
    }

    static HostFile open(HostNode node) throws FuseException {
        try {
            return new HostFile(node, FileChannel.open(node.host(), StandardOpenOption.READ));
        } catch (IOException e) {
            throw failure("open", node, e);
        }
    }

    ByteBuffer read(long offset, int size) throws FuseException {
        ByteBuffer buffer = ByteBuffer.allocate(size);
        try {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, offset + buffer.position());
                if (n <= 0) break;
            }
        } catch (IOException e) {
            throw failure("read", node, e);
        }
        return buffer.flip();
    }

    static byte[] readLink(HostNode node) throws FuseException {
        try {
            return Files.readSymbolicLink(node.host()).toString().getBytes(StandardCharsets.UTF_8);
        } catch (NotLinkException e) {
            throw new FuseException(Errno.EINVAL, node.host() + " is not a symbolic link");
        } catch (IOException e) {
            throw failure("read the link", node, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // A read-only descriptor: closing it loses nothing.
        }
    }

    /** The errno a reader of the host file would get, as near as Java's exceptions tell it. */
    private static FuseException failure(String what, HostNode node, IOException e) {
        int errno = switch (e) {
            case NoSuchFileException gone -> Errno.ENOENT;
            case AccessDeniedException denied -> Errno.EACCES;
            default -> Errno.EIO;
        };
        return new FuseException(errno, "cannot " + what + " " + node.host() + ": " + e.getMessage());
    }
}
