package io.sysbox.fs.fuse;

/**
 * What INIT settled for a FUSE connection and a server must keep to: the protocol minor
 * version (which structures the kernel sends) and the largest write (how large a read buffer
 * the kernel accepts: header + fuse_write_in + max_write). A server resuming a connection gets
 * no second INIT, so these travel with the connection's descriptor.
 */
public record Negotiated(int protocolMinor, int maxWrite) {
    public Negotiated {
        if (protocolMinor < FuseProtocol.OLDEST_MINOR_SUPPORTED || protocolMinor > FuseProtocol.KERNEL_MINOR_VERSION) {
            throw new IllegalArgumentException("FUSE protocol 7." + protocolMinor + " is not one this server speaks (7."
                    + FuseProtocol.OLDEST_MINOR_SUPPORTED + " to 7." + FuseProtocol.KERNEL_MINOR_VERSION + ")");
        }
        if (maxWrite <= 0 || maxWrite > FuseSession.MAX_TRANSFER) {
            throw new IllegalArgumentException("a FUSE max_write of " + maxWrite + " does not fit this server's buffers"
                    + " (at most " + FuseSession.MAX_TRANSFER + ")");
        }
    }
}
