package io.sysbox.fs.emulation.tree;

import io.sysbox.fs.fuse.DirectoryEntry;
import io.sysbox.fs.fuse.Errno;
import io.sysbox.fs.fuse.FuseException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host's names under one directory of a container's passed-through tree, as nodes of that
 * container. A node is made when the kernel first looks its name up and kept until the
 * container is unregistered; its id is derived like every node's, from the registration nonce
 * and its path in the container's tree (NodeTable.idOf), so a restarted sysbox-fs that looks the
 * same name up again hands the kernel the id it already holds.
 *
 * @param host  the host's directory ("/sys/kernel")
 * @param path  the same directory in the container's tree ("sys/kernel")
 */
public final class HostChildren {
    private final Path host;
    private final String path;
    private final long nonce;
    private final int uid;
    private final int gid;
    private final ConcurrentHashMap<String, HostNode> looked = new ConcurrentHashMap<>();

    HostChildren(Path host, String path, long nonce, int uid, int gid) {
        this.host = host;
        this.path = path;
        this.nonce = nonce;
        this.uid = uid;
        this.gid = gid;
    }

    /** The host's node {@code name}, if the host has it now; {@code parentId} is the directory's id. */
    Optional<HostNode> lookup(String name, long parentId) throws FuseException {
        if (name.equals(".") || name.equals("..") || name.indexOf('/') >= 0) return Optional.empty();
        Path child = host.resolve(name);
        // A node the host dropped stays made: its id is the same if the name comes back.
        if (!Files.exists(child, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        HostNode present = looked.get(name);
        if (present != null) return Optional.of(present);
        String childPath = path + "/" + name;
        HostNode node = new HostNode(NodeTable.idOf(nonce, childPath), parentId, name, child, uid, gid,
                new HostChildren(child, childPath, nonce, uid, gid));
        HostNode raced = looked.putIfAbsent(name, node);
        return Optional.of(raced == null ? node : raced);
    }

    /** The host's entries now, except {@code hidden} (names the emulation defines itself). */
    List<DirectoryEntry> list(Collection<String> hidden) throws FuseException {
        List<DirectoryEntry> entries = new ArrayList<>();
        try (DirectoryStream<Path> names = Files.newDirectoryStream(host)) {
            for (Path child : names) {
                String name = child.getFileName().toString();
                if (hidden.contains(name)) continue;
                int mode;
                try {
                    mode = (Integer) Files.getAttribute(child, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                entries.add(new DirectoryEntry(name, NodeTable.idOf(nonce, path + "/" + name), HostNode.typeOf(mode)));
            }
        } catch (NoSuchFileException e) {
            throw new FuseException(Errno.ENOENT, "the host has no " + host + " any more");
        } catch (IOException e) {
            throw new FuseException(Errno.EIO, "cannot list " + host + ": " + e.getMessage());
        }
        entries.sort((a, b) -> a.name().compareTo(b.name()));
        return entries;
    }

    /** The nodes made so far (to drop with the container). */
    Collection<HostNode> looked() {
        return looked.values();
    }
}
