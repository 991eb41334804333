package io.sysbox.common.channel;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One request, one response over a Unix socket: {@code [u32 length][u8 method][protobuf]} out,
 * {@code [u32 length][u8 status][protobuf or UTF-8 error]} back.
 *
 * Why not gRPC here: sysbox-runc is a short-lived CLI started for every container operation,
 * and loading grpc-java with Netty costs it far more than the whole call (see the start-up
 * benchmark in conformance/). The daemons keep gRPC; this channel carries the same messages
 * to the same service implementation.
 */
public final class FramedClient {
    private final Path socket;

    public FramedClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    public byte[] call(byte method, byte[] request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            new Frame(method, request).write(channel);
            Frame response = Frame.read(channel);
            if (response == null) throw new IOException("manager closed the connection on " + socket);
            if (response.tag() != Frame.OK) {
                throw new RemoteException(new String(response.payload(), StandardCharsets.UTF_8));
            }
            return response.payload();
        }
    }

    /** The service answered with an error; its message is meant for the user. */
    public static final class RemoteException extends IOException {
        public RemoteException(String message) {
            super(message);
        }
    }
}
