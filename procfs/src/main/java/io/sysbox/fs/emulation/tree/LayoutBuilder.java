package io.sysbox.fs.emulation.tree;

import io.sysbox.fs.emulation.file.EmulatedFile;
import io.sysbox.fs.emulation.file.Modes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Collects the directories and files of a {@link ContainerLayout}: each directory is created
 * with its parents, with the modes of the host's directories of the same paths, so the layout
 * needs not list every level. Files given to it are its to close until {@link #build}.
 */
public final class LayoutBuilder {
    private final Path hostProc;
    private final Path hostSys;
    private final Map<String, Integer> directories = new LinkedHashMap<>();
    private final Map<String, List<EmulatedFile>> files = new LinkedHashMap<>();
    private final Map<String, Path> passedThrough = new LinkedHashMap<>();

    /**
     * @param hostProc the host's /proc, where the modes of proc/... directories come from
     * @param hostSys  the host's /sys, where the modes of sys/... directories come from
     */
    LayoutBuilder(Path hostProc, Path hostSys) {
        this.hostProc = hostProc;
        this.hostSys = hostSys;
    }

    /** Adds {@code file} to {@code directory} ("proc/sys/kernel"), creating the directory if needed. */
    public LayoutBuilder file(String directory, EmulatedFile file) throws IOException {
        files.computeIfAbsent(directory, d -> new ArrayList<>()).add(file);
        directory(directory);
        return this;
    }

    /** Creates {@code path} and its parents with the host's modes (0755 where the host has no such directory). */
    LayoutBuilder directory(String path) throws IOException {
        if (directories.containsKey(path)) return this;
        return directory(path, Modes.orElse(hostPath(path), 0755));
    }

    /** Creates {@code path} with {@code permissions}, its parents with the host's modes. */
    LayoutBuilder directory(String path, int permissions) throws IOException {
        int slash = path.lastIndexOf('/');
        if (slash > 0) directory(path.substring(0, slash));
        directories.putIfAbsent(path, permissions);
        return this;
    }

    /**
     * Makes {@code path} pass the host's directory of the same path through (its names the
     * layout does not define itself), if the host has it; creates it either way.
     */
    LayoutBuilder passThrough(String path) throws IOException {
        Path host = hostPath(path);
        if (Files.isDirectory(host, LinkOption.NOFOLLOW_LINKS)) passedThrough.put(path, host);
        return directory(path);
    }

    private Path hostPath(String path) {
        String[] parts = path.split("/", 2);
        Path root = switch (parts[0]) {
            case "proc" -> hostProc;
            case "sys" -> hostSys;
            default -> throw new IllegalArgumentException("emulated directory " + path + " is neither under proc nor sys");
        };
        return parts.length == 1 ? root : root.resolve(parts[1]);
    }

    /** Every file added so far, to close if the layout is not built after all. */
    List<EmulatedFile> files() {
        return files.values().stream().flatMap(List::stream).toList();
    }

    ContainerLayout build() {
        List<EmulatedDirectory> list = new ArrayList<>();
        // Parents were put before their children.
        directories.forEach((path, permissions) -> list.add(
                new EmulatedDirectory(path, permissions, files.getOrDefault(path, List.of()),
                        Optional.ofNullable(passedThrough.get(path)))));
        return new ContainerLayout(list);
    }
}
