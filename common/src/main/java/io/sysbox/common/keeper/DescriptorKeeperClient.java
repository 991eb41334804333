package io.sysbox.common.keeper;

import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.FileDescriptors;
import io.sysbox.common.sys.SeqPacketSocket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The side of a {@link DescriptorKeeper} that hands it descriptors and fetches them back. The
 * methods without a slot name concern the unnamed slot (sysbox-fs's FUSE connections).
 */
public final class DescriptorKeeperClient {
    private static final int ECONNREFUSED = 111;

    /** The descriptors the keeper held, in the order handed, now also the fetcher's (to close), and the notes handed with them. */
    public record Held(int[] fds, byte[] notes) {
        public Held {
            fds = fds.clone();
            notes = notes.clone();
        }

        @Override
        public int[] fds() {
            return fds.clone();
        }

        /** The first descriptor handed. */
        public int fd() {
            return fds[0];
        }

        /** Closes this process's copies. */
        public void close() {
            for (int fd : fds) FileDescriptors.close(fd);
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
        keep(new int[] {fd}, notes);
    }

    /**
     * Hands the keeper {@code fds} together (it gets its own references, at most
     * {@link SeqPacketSocket#MAX_FDS}) and notes about them, replacing what it held.
     */
    public void keep(int[] fds, byte[] notes) throws IOException {
        keep("", fds, notes);
    }

    /** Hands the keeper {@code fds} (at most {@link SeqPacketSocket#MAX_FDS}) and notes for slot SLOT, replacing what it held there. */
    public void keep(String slot, int[] fds, byte[] notes) throws IOException {
        call(new KeeperMessage(KeeperMessage.KEEP, slot, notes), fds, KeeperMessage.OK);
    }

    /**
     * What the keeper holds, if anything; empty too when no keeper listens (no socket, or
     * nobody accepts on it: the holder is not running).
     */
    public Optional<Held> fetch() throws IOException {
        return fetch("");
    }

    /** What slot SLOT holds, if anything; empty too when no keeper listens. */
    public Optional<Held> fetch(String slot) throws IOException {
        try (SeqPacketSocket connection = SeqPacketSocket.connect(socket)) {
            connection.send(KeeperMessage.of(KeeperMessage.FETCH, slot).encode(), new int[0]);
            SeqPacketSocket.Message message = connection.receive(KeeperMessage.MAX_SIZE);
            KeeperMessage answer = KeeperMessage.decode(message.data());
            if (answer != null && answer.op() == KeeperMessage.HELD && message.fds().length > 0) {
                return Optional.of(new Held(message.fds(), answer.payload()));
            }
            for (int fd : message.fds()) FileDescriptors.close(fd);
            if (answer != null && answer.op() == KeeperMessage.NONE) return Optional.empty();
            throw unexpected(answer);
        } catch (ErrnoException e) {
            if (e.errno() == ErrnoException.ENOENT || e.errno() == ECONNREFUSED) return Optional.empty();
            throw e;
        }
    }

    /** Tells the keeper to close what it holds in the unnamed slot. */
    public void drop() throws IOException {
        drop("");
    }

    /** Tells the keeper to close what slot SLOT holds (nothing there: nothing happens). */
    public void drop(String slot) throws IOException {
        call(KeeperMessage.of(KeeperMessage.DROP, slot), new int[0], KeeperMessage.OK);
    }

    /**
     * The names of the slots that hold descriptors and start with PREFIX (the unnamed slot is
     * never listed), sorted; empty too when no keeper listens.
     */
    public List<String> list(String prefix) throws IOException {
        List<String> names = new ArrayList<>();
        String after = "";
        try (SeqPacketSocket connection = SeqPacketSocket.connect(socket)) {
            while (true) {
                connection.send(new KeeperMessage(KeeperMessage.LIST, prefix, after.getBytes(StandardCharsets.UTF_8))
                        .encode(), new int[0]);
                SeqPacketSocket.Message message = connection.receive(KeeperMessage.MAX_SIZE);
                for (int fd : message.fds()) FileDescriptors.close(fd);
                KeeperMessage answer = KeeperMessage.decode(message.data());
                if (answer == null || answer.op() != KeeperMessage.NAMES) throw unexpected(answer);
                String page = new String(answer.payload(), StandardCharsets.UTF_8);
                if (page.isEmpty()) return names;
                List<String> pageNames = List.of(page.split("\n"));
                names.addAll(pageNames);
                after = pageNames.getLast();
            }
        } catch (ErrnoException e) {
            if (e.errno() == ErrnoException.ENOENT || e.errno() == ECONNREFUSED) return List.of();
            throw e;
        }
    }

    private void call(KeeperMessage request, int[] fds, byte expected) throws IOException {
        try (SeqPacketSocket connection = SeqPacketSocket.connect(socket)) {
            connection.send(request.encode(), fds);
            SeqPacketSocket.Message message = connection.receive(KeeperMessage.MAX_SIZE);
            for (int fd : message.fds()) FileDescriptors.close(fd);
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
