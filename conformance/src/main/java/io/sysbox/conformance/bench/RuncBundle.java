package io.sysbox.conformance.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.conformance.BusyboxBundle;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * The baseline: the same bundle for plain runc with a user namespace. runc does not shift ids,
 * so it gets its own copy of the rootfs owned by the mapped root (made once, outside the timing).
 */
final class RuncBundle {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long SIZE = 65536;

    private RuncBundle() {}

    /** Copies SOURCE into DIR with a rootfs chowned to HOST_ID and mappings 0 -> HOST_ID, 65536. */
    static Path create(BusyboxBundle source, Path dir, long hostId, String cgroupsPath) throws IOException {
        Files.createDirectories(dir);
        copyTree(source.rootfs(), dir.resolve("rootfs"));
        chownTree(dir.resolve("rootfs"), hostId);
        ObjectNode config = source.config().deepCopy();
        ObjectNode linux = (ObjectNode) config.get("linux");
        for (String field : List.of("uidMappings", "gidMappings")) {
            linux.putArray(field).addObject().put("containerID", 0).put("hostID", hostId).put("size", SIZE);
        }
        ArrayNode namespaces = linux.get("namespaces") instanceof ArrayNode a ? a : linux.putArray("namespaces");
        for (String type : List.of("user", "cgroup")) {
            boolean present = false;
            for (JsonNode ns : namespaces) present |= type.equals(ns.path("type").asText());
            if (!present) namespaces.addObject().put("type", type);
        }
        linux.put("cgroupsPath", cgroupsPath);
        ((ObjectNode) config.get("root")).put("path", "rootfs");
        Files.write(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
        return dir;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.copy(dir, to.resolve(from.relativize(dir).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** lchown of every entry: symlinks themselves, never their targets. */
    private static void chownTree(Path top, long hostId) throws IOException {
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                chown(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                chown(file);
                return FileVisitResult.CONTINUE;
            }

            private void chown(Path p) throws IOException {
                Files.setAttribute(p, "unix:uid", (int) hostId, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", (int) hostId, LinkOption.NOFOLLOW_LINKS);
            }
        });
    }
}
