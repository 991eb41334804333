package io.sysbox.common.keeper;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FileDescriptors;
import io.sysbox.common.sys.SeqPacketSocket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/** The side of a {@link DescriptorKeeper} that hands it a descriptor and fetches it back. */
public final class DescriptorKeeperClient {
    private static final int ECONNREFUSED = 111;

    /** A descriptor the keeper held, now also the fetcher's (to close), and the notes handed with it. */
    public record Held(int fd, byte[] notes) {
        public Held {
            notes = notes.clone();
        }

        @Override
        public byte[] notes() {
            return notes.clone();
        }
    }

    private final Path socket;

    public DescriptorKeeperClient(Path socket) {
        this.socket = socket;
    }

    public Path socket() {
        return socket;
    }

    /** Whether a keeper listens there (its socket exists and accepts). */
    public boolean reachable() {
        try (SeqPacketSocket ignored = SeqPacketSocket.connect(socket)) {
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    /** Hands the keeper {@code fd} (it gets its own reference) and notes about it, replacing what it held. */
    public void keep(int fd, byte[] notes) throws IOException {
        call(new KeeperMessage(KeeperMessage.KEEP, notes), OptionalInt.of(fd), KeeperMessage.OK);
    }

    /**
     * What the keeper holds, if anything; empty too when no keeper listens (no socket, or
     * nobody accepts on it: the holder is not running).
     */
    public Optional<Held> fetch() throws IOException {
        try (SeqPacketSocket connection = SeqPacketSocket.connect(socket)) {
            connection.send(KeeperMessage.of(KeeperMessage.FETCH).encode(), OptionalInt.empty());
            SeqPacketSocket.Message message = connection.receive(KeeperMessage.MAX_SIZE);
            KeeperMessage answer = KeeperMessage.decode(message.data());
            if (answer != null && answer.op() == KeeperMessage.HELD && message.fd().isPresent()) {
                return Optional.of(new Held(message.fd().getAsInt(), answer.payload()));
            }
            message.fd().ifPresent(FileDescriptors::close);
            if (answer != null && answer.op() == KeeperMessage.NONE) return Optional.empty();
            throw unexpected(answer);
        } catch (ErrnoException e) {
            if (e.errno() == ErrnoException.ENOENT || e.errno() == ECONNREFUSED) return Optional.empty();
            throw e;
        }
    }

    /** Tells the keeper to close what it holds. */
    public void drop() throws IOException {
        call(KeeperMessage.of(KeeperMessage.DROP), OptionalInt.empty(), KeeperMessage.OK);
    }

    private void call(KeeperMessage request, OptionalInt fd, byte expected) throws IOException {
        try (SeqPacketSocket connection = SeqPacketSocket.connect(socket)) {
            connection.send(request.encode(), fd);
            SeqPacketSocket.Message message = connection.receive(KeeperMessage.MAX_SIZE);
            message.fd().ifPresent(FileDescriptors::close);
            KeeperMessage answer = KeeperMessage.decode(message.data());
            if (answer == null || answer.op() != expected) throw unexpected(answer);
        }
    }

    private IOException unexpected(KeeperMessage answer) {
        if (answer == null) return new IOException("the descriptor keeper on " + socket + " closed the connection");
        if (answer.op() == KeeperMessage.ERROR) {
            return new IOException("the descriptor keeper on " + socket + " refused: "
                    + new String(answer.payload(), StandardCharsets.UTF_8));
        }
        return new IOException("the descriptor keeper on " + socket + " answered operation " + answer.op());
    }
}
