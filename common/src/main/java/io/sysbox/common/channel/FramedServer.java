package io.sysbox.common.channel;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Serves {@link FramedClient} calls on a Unix socket, one virtual thread per connection. Each
 * connection gets its own handler, so a conversation of several frames (the launcher's) can keep
 * its state between them; the handler is closed when the connection ends.
 */
public final class FramedServer implements AutoCloseable {
    /** Handles one request; a thrown exception's message goes back to the caller. */
    @FunctionalInterface
    public interface Handler extends AutoCloseable {
        byte[] handle(byte method, byte[] request) throws Exception;

        /** The connection ended (the peer closed it, or died). */
        @Override
        default void close() {}
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread acceptor;

    public FramedServer(Path socket, Supplier<Handler> handlers, Consumer<Throwable> onInternalError) throws IOException {
        this.socket = socket;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        acceptor = Thread.ofPlatform().name("framed-accept").daemon().start(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel connection = server.accept();
                    workers.submit(() -> serve(connection, handlers.get(), onInternalError));
                } catch (ClosedChannelException closed) {
                    return;
                } catch (IOException e) {
                    onInternalError.accept(e);
                }
            }
        });
    }

    private static void serve(SocketChannel connection, Handler handler, Consumer<Throwable> onInternalError) {
        try (connection; handler) {
            Frame request;
            while ((request = readOrRefuse(connection)) != null) {
                Frame response;
                try {
                    response = new Frame(Frame.OK, handler.handle(request.tag(), request.payload()));
                } catch (Exception e) {
                    String message = e.getMessage() == null ? e.toString() : e.getMessage();
                    response = new Frame(Frame.ERROR, message.getBytes(StandardCharsets.UTF_8));
                }
                response.write(connection);
            }
        } catch (IOException e) {
            onInternalError.accept(e);
        }
    }

    /**
     * The next request; at a header no frame can have, the peer is told why in an ERROR frame
     * before the connection ends (its stream cannot be resynchronised), and the refusal logged.
     */
    private static Frame readOrRefuse(SocketChannel connection) throws IOException {
        try {
            return Frame.read(connection);
        } catch (Frame.BadLengthException e) {
            new Frame(Frame.ERROR, e.getMessage().getBytes(StandardCharsets.UTF_8)).write(connection);
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        workers.shutdown();
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(socket);
    }
}
