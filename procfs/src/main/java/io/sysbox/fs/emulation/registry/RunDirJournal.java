package io.sysbox.fs.emulation.registry;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.sysbox.common.proto.SavedContainer;
import io.sysbox.common.proto.SavedState;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The registry's journal as files under sysbox-fs's run dir: {@code containers/<id>} and
 * {@code states/<nonce in hex>}, each one protobuf message (sysfs.proto), replaced whole by a
 * rename so a crash mid-write leaves the previous version. The run dir (a tmpfs, /run/sysbox) is
 * the right lifetime: the records matter only while the containers run, and no container
 * survives a reboot.
 */
public final class RunDirJournal implements RegistryJournal {
    private final Path containers;
    private final Path states;

    /** Under {@code dir} (created if missing). */
    public RunDirJournal(Path dir) throws IOException {
        this.containers = Files.createDirectories(dir.resolve("containers"));
        this.states = Files.createDirectories(dir.resolve("states"));
    }

    @Override
    public void saveContainer(SavedContainer container) throws IOException {
        write(containers.resolve(container.getId()), container);
    }

    @Override
    public void deleteContainer(String id) throws IOException {
        Files.deleteIfExists(containers.resolve(id));
    }

    @Override
    public void saveState(SavedState state) throws IOException {
        write(states.resolve(Long.toHexString(state.getNonce())), state);
    }

    @Override
    public void deleteState(long nonce) throws IOException {
        Files.deleteIfExists(states.resolve(Long.toHexString(nonce)));
    }

    @Override
    public List<SavedContainer> containers() throws IOException {
        List<SavedContainer> all = new ArrayList<>();
        for (Path file : records(containers)) {
            try {
                all.add(SavedContainer.parseFrom(Files.readAllBytes(file)));
            } catch (InvalidProtocolBufferException e) {
                throw new IOException(file + " is not a saved container record: " + e.getMessage()
                        + "; remove it (that container loses its emulated files' saved state)", e);
            }
        }
        return all;
    }

    @Override
    public List<SavedState> states() throws IOException {
        List<SavedState> all = new ArrayList<>();
        for (Path file : records(states)) {
            try {
                all.add(SavedState.parseFrom(Files.readAllBytes(file)));
            } catch (InvalidProtocolBufferException e) {
                throw new IOException(file + " is not a saved emulation state: " + e.getMessage()
                        + "; remove it (its containers lose their sysctl values)", e);
            }
        }
        return all;
    }

    /** Removes every record: a new FUSE connection has none of the old containers. */
    public void clear() throws IOException {
        for (Path dir : List.of(containers, states)) {
            for (Path file : records(dir)) Files.deleteIfExists(file);
        }
    }

    private static List<Path> records(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path file : stream) {
                // A temporary file is a write that a crash interrupted; its record is the previous version.
                if (file.getFileName().toString().endsWith(".tmp")) Files.deleteIfExists(file);
                else files.add(file);
            }
        }
        return files;
    }

    private static void write(Path file, MessageLite message) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temporary, message.toByteArray());
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
